"""A4 notices as PDF with fpdf2 and an embedded CJK font (never a font the reader must have).

No character is dropped: one the font lacks (𠮷, CJK extension B) is drawn from another font that
has it (:func:`clerk_tui.printing.fonts.fallback_fonts`), or, when no font has it, printed as □
with the same warning the thermal printer gives, which the clerk sees on screen and in the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clerk_tui.printing.escpos import MARKER
from clerk_tui.printing.fonts import face_index, fallback_fonts
from clerk_tui.printing.layout import QR, Document, Field, Rule, Table, Text

EMPTY = "—"  # a field without a value


@dataclass
class PdfPaper:
    data: bytes
    warnings: list[str] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)  # the font files that drew missing characters


def marker_warning(rare: str) -> str:
    """The thermal printer's words (escpos.encode) for a character printed as □."""
    return f"PDF 字体没有“{rare}”，已印为{MARKER}，请在纸上手写补正"


def _texts(doc: Document) -> list[str]:
    out: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Field):
            out += [f"{block.label}：", block.value or EMPTY]
        elif isinstance(block, Text):
            out.append(block.text)
        elif isinstance(block, Table):
            out += list(block.headers) + [c for row in block.rows for c in row]
    return out


def render_pdf(doc: Document, font_path: str) -> PdfPaper:
    from fpdf import FPDF  # start-up: fpdf2 loads only to render a PDF
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    fallbacks, unfound = fallback_fonts(font_path, "".join(_texts(doc)))
    if unfound and MARKER not in "".join(unfound):
        more, _ = fallback_fonts(font_path, MARKER)  # the □ itself, should the font lack it
        fallbacks += [f for f in more if f not in fallbacks]
    warnings = [marker_warning("".join(unfound))] if unfound else []
    table = str.maketrans({ch: MARKER for ch in unfound})

    def clean(text: str) -> str:
        return text.translate(table)

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("cjk", fname=font_path, collection_font_number=face_index(font_path))
    for i, path in enumerate(fallbacks):
        pdf.add_font(f"fallback{i}", fname=path, collection_font_number=face_index(path))
    if fallbacks:
        pdf.set_fallback_fonts([f"fallback{i}" for i in range(len(fallbacks))], exact_match=False)
    pdf.set_title(f"{doc.title} {doc.subject}")
    pdf.set_creator("clerk-tui")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    for block in doc.blocks:
        if isinstance(block, Rule):
            y = pdf.get_y() + 2
            pdf.line(pdf.l_margin, y, pdf.l_margin + width, y)
            pdf.ln(5)
        elif isinstance(block, QR):
            import qrcode  # start-up: loaded only for a paper with a QR code

            img = qrcode.make(block.data).get_image()
            pdf.image(img, x=pdf.l_margin + width - 30, w=28)
        elif isinstance(block, Field):
            pdf.set_font("cjk", size=11)
            pdf.cell(38, 7, clean(f"{block.label}："))
            pdf.multi_cell(width - 38, 7, clean(block.value or EMPTY), **nl)
        elif isinstance(block, Table):
            pdf.set_font("cjk", size=8)
            first = min(40.0, width * 0.3)  # the name column; the figures share the rest
            rest = (width - first) / max(1, len(block.headers) - 1)
            with pdf.table(
                col_widths=(first, *[rest] * (len(block.headers) - 1)),
                text_align=("LEFT", *["RIGHT"] * (len(block.headers) - 1)),
                line_height=5,
                first_row_as_headings=True,
                headings_style=FontFace(emphasis="", fill_color=(230, 230, 230)),  # the CJK font has no bold face
            ) as grid:
                for cells in (block.headers, *block.rows):
                    row = grid.row()
                    for value in cells:
                        row.cell(clean(value))
            pdf.ln(3)
        elif isinstance(block, Text):
            size = 18 if block.size == 2 else 11
            pdf.set_font("cjk", size=size)
            align = {"center": "C", "right": "R"}.get(block.align, "L")
            pdf.multi_cell(width, size * 0.6, clean(block.text), align=align, **nl)
            if block.size == 2:
                pdf.ln(2)
    return PdfPaper(bytes(pdf.output()), warnings, fallbacks)
