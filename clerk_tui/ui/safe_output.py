"""The terminal edge: no character a terminal would obey leaves the app from the screen's text.

Textual writes a segment's text to the terminal as it is, so an applicant name stored as
``\\x1b[2J`` (a row written before the text policy, or by hand in the database) would clear the
clerk's screen, and ``\\x1b]0;…\\x07`` would retitle the terminal. Every screen update is built by
``Strip.render`` (textual 8.2, pinned in constraints.txt; tests/test_text_policy.py holds this to
it), so that is where segment texts pass ``domain.text.terminal_safe``: the escape sequences Textual
adds for styles and links are outside the segments and stay as they are."""

from __future__ import annotations

from rich.color import ColorSystem
from rich.console import Console
from textual.strip import Strip

from clerk_tui.domain.text import terminal_safe


def _render(self: Strip, console: Console) -> str:
    if self._render_cache is None:
        color_system = console._color_system or ColorSystem.TRUECOLOR
        render = self.render_style
        self._render_cache = "".join(
            [
                terminal_safe(text) if style is None else render(style, terminal_safe(text), color_system=color_system)
                for text, style, _ in self._segments
            ]
        )
    return self._render_cache


def install() -> None:
    """Make every strip the app writes terminal-safe (idempotent)."""
    Strip.render = _render  # type: ignore[method-assign]
