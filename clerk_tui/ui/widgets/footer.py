"""The key footer, rebuilt only when the keys it shows change.

Textual's Footer recomposes (unmounts and mounts one widget per key, then lays the screen out
again) every time the screen's bindings are "updated": on every focus change, every
``refresh_bindings()``, every screen resume. Most of those leave the keys shown exactly as they
were (a lookup moving the focus from the search box to the list, a case reloaded with the same
status), and on a busy screen the rebuild was a good part of what a key cost before its result
reached the screen. This footer remembers what it last drew and skips a rebuild that would draw
the same keys."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _drawn: Any = None  # what compose() last drew, or None before the first draw

    def _shown(self) -> tuple:
        """Everything compose() draws from: each shown key, whether it is enabled, its tooltip
        and how the key is displayed, and the command palette's key."""
        app = self.app
        shown = tuple(
            (binding, enabled, tooltip, app.get_key_display(binding))
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )
        return shown, self.show_command_palette, app.ENABLE_COMMAND_PALETTE, self.compact

    def compose(self):
        self._drawn = self._shown() if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if (
            self._drawn is not None
            and self.is_attached
            and screen is self.screen
            and screen.app.app_focus
            and self._shown() == self._drawn
        ):
            return
        super().bindings_changed(screen)
