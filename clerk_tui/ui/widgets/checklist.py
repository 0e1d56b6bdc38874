"""A SelectionList whose boxes say their state in text, [x] ticked and [ ] not, so it reads
without colour (Textual's own draws the same ▐X▌ for both and tells them apart by colour only)."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets.option_list import OptionDoesNotExist


class CheckList(SelectionList):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) < 3:
            return strip
        mark = "x" if selection.value in self._selected else " "
        style = segments[1].style
        segments[:3] = [Segment("[", style), Segment(mark, style), Segment("]", style)]
        return Strip(segments, strip.cell_length)
