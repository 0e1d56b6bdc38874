"""ESC/POS bytes from laid-out paper lines, and back (for tests and ``print test``).

We encode ourselves: ``FS &`` (Chinese mode) and GB18030, sizes with ``GS !``, bold with
``ESC E``, QR codes natively (``GS ( k``) or as a raster image per printer profile, and a cut.
A character that needs four bytes in GB18030 (𠮷) is missing from printer fonts: its line is
printed as an image when Pillow and a CJK font that has the glyph are at hand; otherwise it is
replaced by a visible marker and the caller is told.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clerk_tui.printing.fonts import face_index, has_glyphs
from clerk_tui.printing.layout import PaperLine

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
MARKER = "□"  # printed for a character the printer cannot print


@dataclass
class Encoded:
    data: bytes
    warnings: list[str] = field(default_factory=list)


def needs_image(text: str) -> bool:
    return any(len(ch.encode("gb18030")) == 4 for ch in text)


def _size(n: int) -> bytes:
    return GS + b"!" + bytes([0x11 if n == 2 else 0x00])


def _qr_native(data: str) -> bytes:
    payload = data.encode("utf-8")
    store = len(payload) + 3
    return (
        GS
        + b"(k"
        + bytes([4, 0, 49, 65, 50, 0])  # model 2
        + GS
        + b"(k"
        + bytes([3, 0, 49, 67, 6])  # module size 6
        + GS
        + b"(k"
        + bytes([3, 0, 49, 69, 49])  # error correction M
        + GS
        + b"(k"
        + bytes([store % 256, store // 256, 49, 80, 48])
        + payload
        + GS
        + b"(k"
        + bytes([3, 0, 49, 81, 48])
    )  # print


def _raster(img) -> bytes:
    """``GS v 0``: a 1-bit image, width padded to whole bytes."""
    img = img.convert("1")
    width, height = img.size
    row_bytes = (width + 7) // 8
    pixels = img.load()
    body = bytearray()
    for y in range(height):
        for xb in range(row_bytes):
            byte = 0
            for bit in range(8):
                x = xb * 8 + bit
                if x < width and pixels[x, y] == 0:
                    byte |= 0x80 >> bit
            body.append(byte)
    return GS + b"v0" + bytes([0, row_bytes % 256, row_bytes // 256, height % 256, height // 256]) + bytes(body)


def _qr_image(data: str) -> bytes:
    import qrcode  # start-up: loaded only for a paper with a QR code

    qr = qrcode.QRCode(border=2, box_size=6)
    qr.add_data(data)
    return _raster(qr.make_image(fill_color="black", back_color="white").get_image())


def _text_image(text: str, columns: int, size: int, font_path: str | None) -> bytes | None:
    """The line as a picture, 12 dots per column (24 for double size); None when impossible."""
    if font_path is None:
        return None
    try:
        from PIL import Image, ImageDraw, ImageFont  # start-up: Pillow loads only to rasterise text

        if not has_glyphs(font_path, text):
            return None
        height = 24 * size
        font = ImageFont.truetype(font_path, 22 * size, index=face_index(font_path))  # a .ttc's Chinese face
        img = Image.new("1", (columns * 12, height + 4), 1)
        ImageDraw.Draw(img).text((0, 1), text, font=font, fill=0)
        return _raster(img)
    except Exception:
        return None


def encode(
    lines: list[PaperLine], columns: int, *, qr_native: bool = True, font_path: str | None = None, cut: bool = True
) -> Encoded:
    out = bytearray(INIT + CHINESE_ON)
    warnings: list[str] = []
    for line in lines:
        if line.qr is not None:
            out += ESC + b"a\x01" + (_qr_native(line.qr) if qr_native else _qr_image(line.qr)) + ESC + b"a\x00" + b"\n"
            continue
        text = line.text
        if needs_image(text):
            image = _text_image(text, columns, line.size, font_path)
            if image is not None:
                out += image + b"\n"
                continue
            rare = "".join(ch for ch in text if len(ch.encode("gb18030")) == 4)
            warnings.append(f"打印机字库没有“{rare}”，已印为{MARKER}，请在纸上手写补正")
            text = "".join(MARKER if len(ch.encode("gb18030")) == 4 else ch for ch in text)
        out += _size(line.size) + ESC + b"E" + (b"\x01" if line.bold else b"\x00")
        out += text.encode("gb18030") + b"\n"
        if line.size != 1 or line.bold:
            out += _size(1) + ESC + b"E\x00"
    if cut:
        out += b"\n\n\n" + GS + b"V" + bytes([66, 0])
    return Encoded(bytes(out), warnings)


def parse(data: bytes):
    """The commands clerk-tui sends, as (op, value) pairs: ("text", bytes), ("newline", None),
    ("size", 1|2), ("bold", bool), ("align", 0|1|2), ("qr", str), ("raster", (row_bytes, height,
    bytes)), ("cut", None). Other commands are skipped by their length."""
    i, n, qr = 0, len(data), b""
    text = bytearray()

    def pending():
        if text:
            yield "text", bytes(text)
            text.clear()

    while i < n:
        b = data[i]
        if b in (0x1B, 0x1C, 0x1D) or b == 0x0A:
            yield from pending()
        if b == 0x1B:  # ESC
            cmd = data[i + 1 : i + 2]
            if cmd == b"E":
                yield "bold", bool(data[i + 2])
            elif cmd == b"a":
                yield "align", data[i + 2]
            i += {b"@": 2, b"E": 3, b"a": 3, b"!": 3, b"d": 3, b"t": 3}.get(cmd, 2)
        elif b == 0x1C:  # FS
            i += {b"&": 2, b".": 2, b"!": 3}.get(data[i + 1 : i + 2], 2)
        elif b == 0x1D:  # GS
            cmd = data[i + 1 : i + 2]
            if cmd == b"(" and data[i + 2 : i + 3] == b"k":
                length = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5 : i + 5 + length]
                if body[:3] == b"1P0":
                    qr = body[3:]
                elif body[:2] == b"1Q":
                    yield "qr", qr.decode("utf-8")
                i += 5 + length
            elif cmd == b"v":
                row_bytes = data[i + 4] + 256 * data[i + 5]
                height = data[i + 6] + 256 * data[i + 7]
                yield "raster", (row_bytes, height, data[i + 8 : i + 8 + row_bytes * height])
                i += 8 + row_bytes * height
            elif cmd == b"V":
                yield "cut", None
                i += 4 if data[i + 2] in (65, 66, 97, 98) else 3
            else:
                if cmd == b"!":
                    yield "size", 2 if data[i + 2] & 0x0F else 1
                i += 3
        elif b == 0x0A:
            yield "newline", None
            i += 1
        else:
            text.append(b)
            i += 1
    yield from pending()


def decode(data: bytes) -> str:
    """The text of ESC/POS bytes: commands stripped, GB18030 decoded, a QR code as
    ``[二维码：…]`` and a raster image as ``[图像]``. Used by the tests and ``print test``."""
    lines: list[str] = []
    current = ""
    for op, value in parse(data):
        if op == "text":
            current += value.decode("gb18030")
        elif op == "qr":
            current += f"[二维码：{value}]"
        elif op == "raster":
            current += "[图像]"
        elif op == "newline":
            lines.append(current)
            current = ""
    if current:
        lines.append(current)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
