"""Render ESC/POS bytes to a PNG as a thermal printer would put them on paper, to look at a ticket
or a receipt without a printer.

Understands what clerk-tui sends: ESC @, FS &, GS ! (size), ESC E (bold), ESC a (align),
GS ( k (QR code), GS v 0 (raster image), GS V (cut) and LF. 12 dots per column (24-dot font),
384 dots for 58 mm paper, 576 for 80 mm (48 columns) and 504 for 42 columns.

The paper's width is read from the papers themselves unless given: clerk-tui lays every paper out
for its printer's columns, with rules (---) across the whole width, so the widest printed line
says whether it was 58 mm (32 columns), Epson-class 80 mm (42) or 80 mm (48). The demo's papers
are 80 mm (the default ``[printing] width``). ``--width 58|80|42`` names the paper as
``clerk-tui print … --width`` does; ``--columns`` gives the columns.

Usage: python scripts/render_escpos.py PAPER.bin OUT.png [--width 58|80|42 | --columns 32|42|48] [--font FILE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def widest_line(data: bytes) -> int:
    """The widest line of the papers in printer columns (ASCII 1, everything else 2, double size
    twice that), raster lines by their dots (12 per column)."""
    from clerk_tui.printing.escpos import parse
    from clerk_tui.printing.layout import text_width

    widest, size, line = 0, 1, ""
    for op, value in parse(data):
        if op == "text":
            line += value.decode("gb18030")
        elif op == "size":
            size = value
        elif op == "newline":
            widest, line = max(widest, text_width(line.rstrip()) * size), ""
        elif op == "raster":
            widest = max(widest, value[0] * 8 // 12)
    return max(widest, text_width(line.rstrip()) * size)


def detect_columns(data: bytes) -> int:
    """The paper's columns: the narrowest of 32, 42 and 48 that holds the widest line (48 when
    a line is wider still, so nothing is cut more than the widest paper would)."""
    from clerk_tui.printing.layout import PAPER_COLUMNS

    widest = widest_line(data)
    return next((c for c in sorted(PAPER_COLUMNS.values()) if c >= widest), max(PAPER_COLUMNS.values()))


def render(data: bytes, columns: int, font_path: str):
    import qrcode
    from PIL import Image, ImageDraw, ImageFont

    from clerk_tui.printing.escpos import parse

    width = columns * 12
    rows: list = []  # PIL images, one per printed line
    fonts = {size: ImageFont.truetype(font_path, 22 * size) for size in (1, 2)}
    size, bold, align = 1, False, 0
    line = ""

    def flush_text() -> None:
        h = 26 * size
        img = Image.new("1", (width, h), 1)
        draw = ImageDraw.Draw(img)
        x = 0
        for ch in line:
            draw.text((x, 1), ch, font=fonts[size], fill=0)
            if bold:
                draw.text((x + 1, 1), ch, font=fonts[size], fill=0)
            x += (12 if ord(ch) < 0x80 else 24) * size
        rows.append(img)

    for op, value in parse(data):
        if op == "text":
            line += value.decode("gb18030")
        elif op == "size":
            size = value
        elif op == "bold":
            bold = value
        elif op == "align":
            align = value
        elif op == "newline":
            flush_text()
            line = ""
        elif op == "qr":
            q = qrcode.QRCode(border=1, box_size=6)
            q.add_data(value)
            img = q.make_image().get_image().convert("1")
            block = Image.new("1", (width, img.height), 1)
            block.paste(img, ((width - img.width) // 2 if align == 1 else 0, 0))
            rows.append(block)
        elif op == "raster":
            row_bytes, height, raw = value
            img = Image.frombytes("1", (row_bytes * 8, height), bytes(x ^ 0xFF for x in raw))
            block = Image.new("1", (width, height), 1)
            block.paste(img, (0, 0))
            rows.append(block)
        elif op == "cut":  # the next paper follows after a gap
            rows.append(Image.new("1", (width, 40), 1))
    margin = 16
    height = sum(r.height for r in rows) + 2 * margin
    paper = Image.new("L", (width + 2 * margin, height), 255)
    y = margin
    for r in rows:
        paper.paste(r.convert("L"), (margin, y))
        y += r.height
    return paper


def main() -> None:
    from clerk_tui.printing.fonts import find_font
    from clerk_tui.printing.layout import PAPER_COLUMNS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paper")
    parser.add_argument("out")
    paper = parser.add_mutually_exclusive_group()
    paper.add_argument(
        "--width", type=int, choices=sorted(PAPER_COLUMNS), help="paper width in mm (42: Epson-class 80 mm)"
    )
    paper.add_argument("--columns", type=int, choices=sorted(set(PAPER_COLUMNS.values())), help="printer columns")
    parser.add_argument("--font", default=None)
    args = parser.parse_args()
    if not Path(args.paper).is_file():
        parser.error(f"{args.paper} does not exist: print a paper to it first (a file:// printer)")
    data = Path(args.paper).read_bytes()
    if not data:
        parser.error(f"{args.paper} is empty: nothing was printed to it yet")
    columns = args.columns or (PAPER_COLUMNS[args.width] if args.width else detect_columns(data))
    widest = widest_line(data)
    if widest > columns:
        print(f"warning: a line is {widest} columns wide, wider than the {columns} columns rendered", file=sys.stderr)
    render(data, columns, find_font(args.font)).save(args.out)
    print(f"{args.out} ({columns} columns)")


if __name__ == "__main__":
    main()
