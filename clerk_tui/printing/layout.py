"""Paper layout: documents as blocks, laid out for a receipt printer's columns.

On paper an ASCII character takes one column and everything else two (DOMAIN §8). Wrapping never
splits a run of ASCII letters and digits (a ticket number, a case number, an ID number, a phone
number) unless the run alone is wider than the line, never starts a line with closing
punctuation and never ends one with an opening mark. The text preview is this layout, and the
ESC/POS bytes are made from it, so the preview is what prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clerk_tui.domain.text import visible

PAPER_COLUMNS = {58: 32, 80: 48, 42: 42}  # 58 mm, 80 mm, Epson-class 80 mm (font A, 42 columns)
CLOSING = set("，。、；：？！）》」』】〉〕”’,.;:?!)]}…%")
OPENING = set("（《「『【〈〔“‘([{")
# A run of ASCII letters and digits is one token, and a number keeps the character after it
# (3份, 10个, 2026年): a line never breaks inside a number or between a number and its unit.
_TOKEN = re.compile(r"[0-9A-Za-z*#@_/\-.:+]+(?:(?<=[0-9])[^\x00-\x7f\s])?|\s+|.", re.S)


def char_width(ch: str) -> int:
    return 1 if ord(ch) < 0x80 else 2


def text_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def _split_wide(token: str, width: int) -> list[str]:
    """A token wider than a whole line (only then) is cut at the line width."""
    parts, cur = [], ""
    for ch in token:
        if text_width(cur + ch) > width:
            parts.append(cur)
            cur = ""
        cur += ch
    return parts + ([cur] if cur else [])


def wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """Lines of at most ``width`` columns. Continuation lines are indented by ``indent`` spaces."""
    if width < 4:
        raise ValueError("width too small")
    out: list[str] = []
    for paragraph in text.split("\n"):
        tokens = _TOKEN.findall(paragraph)
        line: list[str] = []
        used = 0
        limit = width

        def flush() -> None:
            nonlocal line, used, limit
            out.append("".join(line).rstrip())
            line, used = ([" " * indent], indent) if indent else ([], 0)
            limit = width

        i = 0
        while i < len(tokens):
            tok = tokens[i]
            w = text_width(tok)
            if tok.isspace():
                if used and used + w <= limit:
                    line.append(tok)
                    used += w
                i += 1
                continue
            if used + w <= limit:
                line.append(tok)
                used += w
                i += 1
                continue
            if w > width - indent:
                for part in _split_wide(tok, limit - used if limit - used > 0 else width - indent):
                    if used + text_width(part) > limit:
                        flush()
                    line.append(part)
                    used += text_width(part)
                i += 1
                continue
            solid = [t for t in line if not t.isspace()]
            if len(solid) > 1 and (tok[0] in CLOSING or line[-1] in OPENING):
                # 避头尾: no line starts with a closing mark or ends with an opening one. Carry the
                # last character down with the closing mark (and a closing mark before it, and an
                # opening mark before that), or an opening mark down with what it opens.
                keep = list(line)
                carry = [line.pop()] if tok[0] in CLOSING else []
                while len(line) > 1 and ((carry and carry[0][0] in CLOSING) or line[-1] in OPENING):
                    carry.insert(0, line.pop())
                while line and line[-1].isspace():
                    line.pop()
                if line and indent + sum(text_width(c) for c in carry) + w <= width:
                    flush()
                    line.extend(carry)
                    used += sum(text_width(c) for c in carry)
                    continue
                line = keep  # nothing would be left, or the carry would not fit: break where it stands
            flush()
        if line and "".join(line).strip():
            out.append("".join(line).rstrip())
        elif not out or paragraph == "":
            out.append("")
    return out


@dataclass(frozen=True)
class Text:
    """A paragraph. ``size`` 2 is double width and height (half the columns); ``indent`` hangs
    the continuation lines (a numbered list item)."""

    text: str
    align: str = "left"  # left | center | right
    size: int = 1
    bold: bool = False
    indent: int = 0

    def __post_init__(self) -> None:
        # Defence in depth: a control or bidi character the database holds (a row written before
        # the text policy, or by hand) is printed as a visible stand-in, never sent to the printer.
        object.__setattr__(self, "text", visible(self.text, multiline=True))


@dataclass(frozen=True)
class Field:
    """``label：value``, wrapped under the value."""

    label: str
    value: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", visible(self.label))
        object.__setattr__(self, "value", visible(self.value, multiline=True))


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class QR:
    data: str


@dataclass(frozen=True)
class Table:
    """A table of figures (a report on A4): a header row and rows of cells. On a receipt printer
    each row is a paragraph of ``header value`` pairs; in a PDF it is drawn as a grid."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", tuple(visible(str(h)) for h in self.headers))
        object.__setattr__(self, "rows", tuple(tuple(visible(str(c)) for c in row) for row in self.rows))

    def as_text(self) -> list[str]:
        """Each row as one paragraph: its first cell, then ``header value`` for the others."""
        return [
            f"{row[0]}：" + "，".join(f"{h} {c}" for h, c in zip(self.headers[1:], row[1:], strict=False))
            for row in self.rows
        ]


@dataclass
class Document:
    kind: str  # ticket | receipt | supplement-notice | rejection-notice | completion-notice | item-notice
    title: str
    subject: str  # the ticket or case number, or the item code
    blocks: list = field(default_factory=list)
    reprint: int = 0  # 0: the original; n: the n-th reprint (补打)

    def add(self, *blocks) -> Document:
        self.blocks.extend(blocks)
        return self


@dataclass(frozen=True)
class PaperLine:
    """One printed line: its text (already padded for alignment), size and weight."""

    text: str
    size: int = 1
    bold: bool = False
    qr: str | None = None


def lay_out(doc: Document, columns: int) -> list[PaperLine]:
    """The document as paper lines for ``columns`` (32, 42 or 48)."""
    lines: list[PaperLine] = []
    for block in doc.blocks:
        if isinstance(block, Rule):
            lines.append(PaperLine(block.char * columns))
        elif isinstance(block, QR):
            lines.append(PaperLine("", qr=block.data))
        elif isinstance(block, Table):
            for paragraph in block.as_text():
                lines.extend(PaperLine(part) for part in wrap(paragraph, columns, 2))
        elif isinstance(block, Field):
            label = f"{block.label}："
            indent = min(text_width(label), columns // 2)
            for _i, part in enumerate(wrap(label + (block.value or "—"), columns, indent)):
                lines.append(PaperLine(part))
        else:
            size = block.size if text_width(block.text) <= columns // block.size else 1  # a long title stays whole
            width = columns // size
            for part in wrap(block.text, width, block.indent if size == 1 else 0):
                pad = width - text_width(part)
                if block.align == "center":
                    part = " " * (pad // 2) + part
                elif block.align == "right":
                    part = " " * pad + part
                lines.append(PaperLine(part, size, block.bold))
    return lines


def preview(doc: Document, columns: int) -> str:
    """The text preview: exactly the characters that print, one line per paper line."""
    out = []
    for line in lay_out(doc, columns):
        out.append(f"[二维码：{line.qr}]" if line.qr is not None else line.text)
    return "\n".join(out) + "\n"
