"""A screen's error line: what went wrong and needs the clerk to act stays here, above the footer,
until the next thing done on that screen succeeds (a toast would go away before it was read, or
cover the view for as long as it stayed)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class ErrorLine(Static):
    DEFAULT_CSS = """
    ErrorLine { height: auto; max-height: 3; padding: 0 1; color: $text-error; background: $error 15%;
                text-style: bold; display: none; }
    """

    def show(self, text: str) -> None:
        self.update(Text(text))  # typed words in it are shown literally
        self.display = True

    def clear(self) -> None:
        self.update("")
        self.display = False

    @property
    def text(self) -> str:
        return str(self.content) if self.display else ""
