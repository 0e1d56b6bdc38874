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

    width = columns * 12
    rows: list = []  # PIL images, one per printed line
    fonts = {size: ImageFont.truetype(font_path, 22 * size) for size in (1, 2)}
    size, bold, align, qr_data = 1, False, 0, b""
    text = bytearray()

    def flush_text() -> None:
        line = text.decode("gb18030")
        text.clear()
        h = 26 * size
        img = Image.new("1", (width, h), 1)
        draw = ImageDraw.Draw(img)
        x = 0
        for ch in line:
            w = (12 if ord(ch) < 0x80 else 24) * size
            draw.text((x, 1), ch, font=fonts[size], fill=0)
            if bold:
                draw.text((x + 1, 1), ch, font=fonts[size], fill=0)
            x += w
        rows.append(img)

    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b == 0x1B:
            cmd = data[i + 1:i + 2]
            if cmd == b"E":
                bold = bool(data[i + 2])
            elif cmd == b"a":
                align = data[i + 2]
            i += {b"@": 2, b"E": 3, b"a": 3, b"!": 3, b"d": 3, b"t": 3}.get(cmd, 2)
        elif b == 0x1C:
            i += 2
        elif b == 0x1D:
            cmd = data[i + 1:i + 2]
            if cmd == b"!":
                size = 2 if data[i + 2] & 0x0F else 1
                i += 3
            elif cmd == b"(":
                length = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5:i + 5 + length]
                if body[:3] == b"1P0":
                    qr_data = body[3:]
                elif body[:2] == b"1Q":
                    q = qrcode.QRCode(border=1, box_size=6)
                    q.add_data(qr_data.decode("utf-8"))
                    img = q.make_image().get_image().convert("1")
                    line = Image.new("1", (width, img.height), 1)
                    line.paste(img, ((width - img.width) // 2 if align == 1 else 0, 0))
                    rows.append(line)
                i += 5 + length
            elif cmd == b"v":
                row_bytes = data[i + 4] + 256 * data[i + 5]
                height = data[i + 6] + 256 * data[i + 7]
                raw = data[i + 8:i + 8 + row_bytes * height]
                img = Image.frombytes("1", (row_bytes * 8, height), bytes(x ^ 0xFF for x in raw))
                line = Image.new("1", (width, height), 1)
                line.paste(img, (0, 0))
                rows.append(line)
                i += 8 + row_bytes * height
            elif cmd == b"V":
                break
            else:
                i += 3
        elif b == 0x0A:
            flush_text()
            i += 1
        else:
            text.append(b)
            i += 1
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
