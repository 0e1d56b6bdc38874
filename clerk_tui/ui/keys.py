"""One rule for letter keys: a key shown as ``H`` works as ``h`` and ``H`` (Caps Lock or Shift
must not make a key do nothing). Screens wrap their BINDINGS in ``both_cases``."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding


def _cased(keys: str) -> str:
    out: list[str] = []
    for key in keys.split(","):
        key = key.strip()
        for variant in (key.lower(), key.upper()) if len(key) == 1 and key.isalpha() else (key,):
            if variant not in out:
                out.append(variant)
    return ",".join(out)


def both_cases(bindings: list[Binding]) -> list[Binding]:
    """The same bindings with every single-letter key bound in lower and upper case."""
    return [replace(b, key=_cased(b.key)) if isinstance(b, Binding) else b for b in bindings]
