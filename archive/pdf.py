"""Small PDF helpers with a CJK font that reportlab can read (WenQuanYi Zen Hei)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

CJK_FONT = "WQYZenHei"
CJK_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


@cache
def register_cjk_font() -> str:
    pdfmetrics.registerFont(TTFont(CJK_FONT, CJK_FONT_PATH, subfontIndex=0))
    return CJK_FONT


def text_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A born-digital A4 page with a title and lines of Chinese text."""
    font = register_cjk_font()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)
    width, height = A4
    pdf.setTitle(title)
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, height - 72, title)
    pdf.setFont(font, 11)
    y = height - 110
    for line in lines:
        if y < 60:
            pdf.showPage()
            pdf.setFont(font, 11)
            y = height - 72
        pdf.drawString(60, y, line)
        y -= 18
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
