"""A4 notices as PDF with fpdf2 and an embedded CJK font (never a font the reader must have)."""

from __future__ import annotations

from clerk_tui.printing.layout import QR, Document, Field, Rule, Text


def render_pdf(doc: Document, font_path: str) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("cjk", fname=font_path)
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
            import qrcode

            img = qrcode.make(block.data).get_image()
            pdf.image(img, x=pdf.l_margin + width - 30, w=28)
        elif isinstance(block, Field):
            pdf.set_font("cjk", size=11)
            label = f"{block.label}："
            pdf.cell(38, 7, label)
            pdf.multi_cell(width - 38, 7, block.value or "—", **nl)
        elif isinstance(block, Text):
            size = 18 if block.size == 2 else 11
            pdf.set_font("cjk", size=size)
            align = {"center": "C", "right": "R"}.get(block.align, "L")
            pdf.multi_cell(width, size * 0.6, block.text, align=align, **nl)
            if block.size == 2:
                pdf.ln(2)
    return bytes(pdf.output())
