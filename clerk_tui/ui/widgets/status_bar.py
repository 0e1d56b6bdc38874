"""The top line of every screen: the hall's screen name and who is logged in."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { dock: top; height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title

    def on_mount(self) -> None:
        actor = getattr(self.app, "actor", None)
        text = Text(self.title, style="bold")
        if actor is not None:
            who = f"  {actor.name}（{actor.number}，{actor.role_name}）"
            if actor.window is not None:
                who += f" · {actor.window}号窗口"
            text.append(who)
        self.update(text)
