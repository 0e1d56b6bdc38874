"""Render ESC/POS bytes to a PNG as a thermal printer would put them on paper, to look at a ticket
or a receipt without a printer.

Understands what clerk-tui sends: ESC @, FS &, GS ! (size), ESC E (bold), ESC a (align),
GS ( k (QR code), GS v 0 (raster image), GS V (cut) and LF. 12 dots per column (24-dot font),
384 dots for 58 mm paper, 576 for 80 mm (48 columns) and 504 for 42 columns.

Usage: python scripts/render_escpos.py PAPER.bin OUT.png [--columns 32|42|48] [--font FILE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


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

    parser = argparse.ArgumentParser()
    parser.add_argument("paper")
    parser.add_argument("out")
    parser.add_argument("--columns", type=int, default=32)
    parser.add_argument("--font", default=None)
    args = parser.parse_args()
    render(Path(args.paper).read_bytes(), args.columns, find_font(args.font)).save(args.out)
    print(args.out)


if __name__ == "__main__":
    main()
