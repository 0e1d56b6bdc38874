"""Table columns sized from the width the table has: fixed columns keep their width, the
flexible ones (an item's name, an applicant) share what is left, so a wide terminal shows long
names instead of cutting them at 8 cells beside empty space."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from clerk_tui.ui.messages import clip


@dataclass(frozen=True)
class Column:
    label: str
    width: int  # the least width in cells (the header's width at least)
    weight: int = 0  # 0: fixed; otherwise its share of the room left over
    want: int | None = None  # the widest content: a flexible column takes no more than this


def widths(total: int, columns: list[Column]) -> list[int]:
    """Each column's width for a table ``total`` cells wide (a cell's padding and the scrollbar
    taken off first). The room left over is shared by weight; a column whose content is all
    shown gives the rest of its share to the others."""
    out = [max(c.width, cell_len(c.label)) for c in columns]
    spare = total - sum(out) - 2 * len(columns) - 2
    open_ = {i for i, c in enumerate(columns) if c.weight and (c.want is None or c.want > out[i])}
    while spare > 0 and open_:
        weights = sum(columns[i].weight for i in open_)
        round_spare, given = spare, 0
        for i in sorted(open_):
            c = columns[i]
            extra = max(1, round_spare * c.weight // weights)
            if c.want is not None:
                extra = min(extra, c.want - out[i])
            extra = min(extra, spare - given)
            out[i] += extra
            given += extra
            if c.want is not None and out[i] >= c.want:
                open_.discard(i)
        spare -= given
        if not given:
            break
    return out


def set_columns(table: DataTable, columns: list[Column], total: int | None = None) -> list[int]:
    """Empty ``table`` and give it these columns at its width; returns the widths (the caller clips
    to them). Columns that are already as wanted are kept (only the rows go): building them again
    costs every later frame a new measure of the table."""
    total = total if total is not None else (table.size.width or table.app.size.width)
    sizes = widths(total, columns)
    have = [(c.label.plain, c.width, c.auto_width) for c in table.ordered_columns]
    if have == [(c.label, w, False) for c, w in zip(columns, sizes, strict=True)]:
        table.clear()
        return sizes
    table.clear(columns=True)
    for c, w in zip(columns, sizes, strict=True):
        table.add_column(c.label, width=w)
    return sizes


def cell(text: str, width: int, style: str = "") -> Text:
    """A name cut to its column with …, shown literally."""
    return Text(clip(text, width), style=style)
