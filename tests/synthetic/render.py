"""Draw laid-out :class:`~.layout.Page` objects as images (Pillow) or a PDF (reportlab)."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from .layout import FONT_PATH, PT, Page

_PDF_FONT = "WQYZenHei"


@lru_cache(maxsize=64)
def _font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_PATH, px, index=0)


def render_image(page: Page, dpi: int = 300) -> Image.Image:
    """The page as an RGB image at ``dpi`` (white paper, black print)."""
    f = dpi / 25.4  # px per mm
    img = Image.new("RGB", (round(page.width * f), round(page.height * f)), "white")
    draw = ImageDraw.Draw(img)
    for rule in page.rules:
        w = max(1, round(rule.width * PT * f))
        lo, hi = -(w // 2), w - w // 2 - 1
        x0, y0, x1, y1 = (round(v * f) for v in (rule.x0, rule.y0, rule.x1, rule.y1))
        if y0 == y1:  # horizontal: extend by half the width so corners close
            draw.rectangle((min(x0, x1) + lo, y0 + lo, max(x0, x1) + hi, y0 + hi), rule.color)
        elif x0 == x1:
            draw.rectangle((x0 + lo, min(y0, y1) + lo, x0 + hi, max(y0, y1) + hi), rule.color)
        else:
            draw.line((x0, y0, x1, y1), fill=rule.color, width=w)
    for el in page.ellipses:
        w = max(1, round(el.width * PT * f))
        draw.ellipse(tuple(round(v * f) for v in el.box), outline=el.color, width=w)
    for run in page.runs:
        px = max(1, round(run.size * PT * f))
        stroke = max(1, round(px * 0.015)) if run.bold else 0
        draw.text(
            (run.x * f, run.y * f),
            run.text,
            font=_font(px),
            fill=run.color,
            anchor="ls",
            stroke_width=stroke,
            stroke_fill=run.color,
        )
    img.info["dpi"] = (dpi, dpi)
    return img


@lru_cache(maxsize=1)
def _register_pdf_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(_PDF_FONT, FONT_PATH, subfontIndex=0))
    return _PDF_FONT


def render_pdf(pages: list[Page], title: str = "", author: str = "Hedang synthetic") -> bytes:
    """A born-digital PDF of ``pages`` with a real (extractable) text layer."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font = _register_pdf_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(pages[0].width * mm, pages[0].height * mm))
    c.setTitle(title)
    c.setAuthor(author)
    c.setCreator("tests.synthetic")
    for page in pages:
        h = page.height
        c.setPageSize((page.width * mm, h * mm))
        c.setLineCap(2)  # projecting square caps close the table corners
        for rule in page.rules:
            c.setStrokeColorRGB(*(v / 255 for v in rule.color))
            c.setLineWidth(rule.width)
            c.line(rule.x0 * mm, (h - rule.y0) * mm, rule.x1 * mm, (h - rule.y1) * mm)
        for el in page.ellipses:
            c.setStrokeColorRGB(*(v / 255 for v in el.color))
            c.setLineWidth(el.width)
            x0, y0, x1, y1 = el.box
            c.ellipse(x0 * mm, (h - y1) * mm, x1 * mm, (h - y0) * mm)
        for run in page.runs:
            if run.bold:  # faux bold: fill and stroke; q/Q scopes the render mode (Tr)
                c.saveState()
                c.setStrokeColorRGB(*(v / 255 for v in run.color))
                c.setLineWidth(run.size * 0.025)
            t = c.beginText(run.x * mm, (h - run.y) * mm)
            t.setFont(font, run.size)
            t.setFillColorRGB(*(v / 255 for v in run.color))
            if run.bold:
                t.setTextRenderMode(2)
            t.textOut(run.text)
            c.drawText(t)
            if run.bold:
                c.restoreState()
        c.showPage()
    c.save()
    return buf.getvalue()
