"""What this terminal remembers between runs (the window number), in the user state directory."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _terminal_key() -> str:
    """Which terminal this is: one user may run the guide desk and a window side by side."""
    for stream in (sys.stdin, sys.stdout):
        try:
            return os.ttyname(stream.fileno()).replace("/", "_")
        except (OSError, AttributeError, ValueError):
            continue
    return "default"


def _path(state_dir: Path) -> Path:
    return state_dir / f"terminal{_terminal_key()}.json"


def load(state_dir: Path) -> dict:
    try:
        return json.loads(_path(state_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save(state_dir: Path, **values) -> None:
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        data = load(state_dir) | values
        _path(state_dir).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass  # remembering the window is a convenience; never block a login for it
