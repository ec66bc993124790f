"""Printed archive forms (DA/T 22-2015): box spine, 备考表, 归档文件目录 and 归档章 labels.

Every function returns the bytes of a PDF drawn with reportlab in WenQuanYi Zen Hei (reportlab
cannot read Noto's CFF outlines). Nothing here touches the database beyond reading the
objects it is given; the views log each print (Action.PRINT).
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from archive.categories import CATEGORY_CODES
from archive.models import Box, Item
from archive.pdf import register_cjk_font

CATALOGUE_COLUMNS = ("序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注")
# Column widths in mm; their sum is the A4 landscape width less 15 mm margins (267 mm).
CATALOGUE_WIDTHS = (12, 52, 34, 34, 75, 20, 12, 12, 16)

_lock = threading.Lock()  # reportlab's font registry is process-wide


def yyyymmdd(date: dt.date | None) -> str:
    return date.strftime("%Y%m%d") if date else ""


def item_number(item: Item) -> str:
    return f"{item.item_number:04d}" if item.item_number else ""


def item_remarks(item: Item) -> str:
    parts = []
    if item.status == Item.Status.DESTROYED:
        parts.append("已销毁")
    if item.remarks:
        parts.append(item.remarks)
    return "；".join(parts)


def _canvas(buf: io.BytesIO, size, title: str) -> canvas.Canvas:
    pdf = canvas.Canvas(buf, pagesize=size, invariant=1)
    pdf.setTitle(title)
    pdf.setAuthor("核档")
    return pdf


# --------------------------------------------------------------------------- box spine


def _stacked(pdf: canvas.Canvas, font: str, text: str, x: float, top: float, size: float) -> float:
    """Draw ``text`` one character under the other, centred on ``x``; return the new top."""
    pdf.setFont(font, size)
    for char in text:
        top -= size * 1.15
        pdf.drawCentredString(x, top, char)
    return top


def spine_fields(box: Box) -> list[tuple[str, str]]:
    first = f"{box.first_item_number:04d}" if box.first_item_number else ""
    last = f"{box.last_item_number:04d}" if box.last_item_number else ""
    span = f"{first}-{last}" if first or last else ""
    return [
        ("全宗号", box.fonds),
        ("年度", str(box.year)),
        ("保管期限", box.retention),
        ("起止件号", span),
        ("盒号", str(box.box_number)),
    ]


def box_spine(box: Box, *, width_mm: float = 40) -> bytes:
    """The box spine label: a tall narrow strip on an A4 page, cut along the frame.

    Field names run top to bottom as stacked characters; each value is printed across the
    strip under its name. ``width_mm`` is the box thickness (20, 30, 40 or 50 mm).
    """
    font = register_cjk_font()
    buf = io.BytesIO()
    page_w, page_h = A4
    label_w, label_h = width_mm * mm, 265 * mm
    left, bottom = (page_w - label_w) / 2, (page_h - label_h) / 2
    with _lock:
        pdf = _canvas(buf, A4, f"盒脊 {box}")
        pdf.setLineWidth(0.8)
        pdf.rect(left, bottom, label_w, label_h)
        centre = left + label_w / 2
        fields = spine_fields(box)
        slot = label_h / len(fields)
        for index, (name, value) in enumerate(fields):
            top = bottom + label_h - index * slot
            if index:
                pdf.line(left, top, left + label_w, top)
            after = _stacked(pdf, font, name, centre, top - 4 * mm, 12)
            size = 11
            while size > 6 and pdf.stringWidth(value, font, size) > label_w - 4 * mm:
                size -= 0.5
            pdf.setFont(font, size)
            pdf.drawCentredString(centre, after - 9 * mm, value)
        pdf.setFont(font, 7)
        pdf.drawCentredString(page_w / 2, bottom - 6 * mm, "沿框线裁下，贴于档案盒盒脊")
        pdf.showPage()
        pdf.save()
    return buf.getvalue()


# --------------------------------------------------------------------------- 备考表


def box_note_lines(box: Box) -> list[str]:
    """The situation of the box's items: missing numbers, destroyed items, then free notes."""
    items = list(box.items.order_by("item_number"))
    lines = [f"本盒共 {len(items)} 件，{sum(i.page_count for i in items)} 页。"]
    numbers = {i.item_number for i in items if i.item_number}
    if box.first_item_number and box.last_item_number:
        span = range(box.first_item_number, box.last_item_number + 1)
        missing = [f"{n:04d}" for n in span if n not in numbers]
        if missing:
            lines.append("缺件：件号 " + "、".join(missing) + "。")
    destroyed = [i for i in items if i.status == Item.Status.DESTROYED]
    if destroyed:
        lines.append("已销毁：" + "、".join(i.archive_number or i.title for i in destroyed) + "。")
    lines += [line.strip() for line in box.notes.splitlines() if line.strip()]
    return lines


def box_notes(box: Box) -> bytes:
    """备考表: notes on missing, changed, removed or destroyed items; 整理人, 检查人, 日期."""
    font = register_cjk_font()
    buf = io.BytesIO()
    width, height = A4
    margin = 25 * mm
    body = ParagraphStyle("note", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    with _lock:
        pdf = _canvas(buf, A4, f"备考表 {box}")
        pdf.setFont(font, 20)
        pdf.drawCentredString(width / 2, height - 30 * mm, "备  考  表")
        pdf.setFont(font, 10)
        ident = (
            f"全宗号 {box.fonds}　年度 {box.year}　保管期限 {box.retention}　盒号 {box.box_number}"
        )
        pdf.drawCentredString(width / 2, height - 38 * mm, ident)
        frame_top, frame_bottom = height - 45 * mm, 65 * mm
        pdf.rect(margin, frame_bottom, width - 2 * margin, frame_top - frame_bottom)
        pdf.setFont(font, 12)
        pdf.drawString(margin + 4 * mm, frame_top - 8 * mm, "盒内文件情况说明：")
        y = frame_top - 14 * mm
        for line in box_note_lines(box):
            para = Paragraph(escape(line), body)
            _, h = para.wrap(width - 2 * margin - 12 * mm, y)
            if y - h < frame_bottom + 4 * mm:
                break
            para.drawOn(pdf, margin + 8 * mm, y - h)
            y -= h + 2 * mm
        pdf.setFont(font, 12)
        x_sign = width - margin - 70 * mm
        pdf.drawString(x_sign, 50 * mm, f"整理人：{box.arranged_by or '　' * 6}")
        pdf.drawString(x_sign, 40 * mm, f"检查人：{box.checked_by or '　' * 6}")
        date = box.arranged_on.strftime("%Y年%m月%d日") if box.arranged_on else "　年　月　日"
        pdf.drawString(x_sign, 30 * mm, f"日　期：{date}")
        pdf.showPage()
        pdf.save()
    return buf.getvalue()


# --------------------------------------------------------------------------- 归档文件目录


def catalogue_row(index: int, item: Item) -> list[str]:
    return [
        str(index),
        item.archive_number or "",
        item.document_number,
        item.responsible,
        item.title,
        yyyymmdd(item.formation_date),
        item.security_level,
        str(item.page_count or ""),
        item_remarks(item),
    ]


def catalogue(items: Iterable[Item], title: str = "归档文件目录") -> bytes:
    """归档文件目录: A4 landscape, 9 columns, the header repeated on each page; text wraps."""
    font = register_cjk_font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, fontSize=10, alignment=1)
    centred = ParagraphStyle("centred", parent=cell, alignment=1)
    centred_columns = {0, 5, 6, 7}
    rows: list[list] = [[Paragraph(name, head) for name in CATALOGUE_COLUMNS]]
    for index, item in enumerate(items, start=1):
        values = catalogue_row(index, item)
        rows.append(
            [
                Paragraph(escape(v), centred if col in centred_columns else cell)
                for col, v in enumerate(values)
            ]
        )
    table = Table(rows, colWidths=[w * mm for w in CATALOGUE_WIDTHS], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
            ]
        )
    )
    title_style = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1)
    buf = io.BytesIO()

    def footer(pdf: canvas.Canvas, doc) -> None:
        pdf.setFont(font, 9)
        pdf.drawCentredString(doc.pagesize[0] / 2, 8 * mm, f"第 {doc.page} 页")

    with _lock:
        doc = SimpleDocTemplate(
            buf,
            pagesize=landscape(A4),
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=15 * mm,
            bottomMargin=15 * mm,
            title=title,
            author="核档",
            invariant=1,
        )
        story = [Paragraph(escape(title), title_style), Spacer(1, 5 * mm), table]
        if len(rows) == 1:
            story.append(Paragraph("（无归档文件）", centred))
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


# --------------------------------------------------------------------------- 归档章


STAMP_CELL_W = 16 * mm
STAMP_CELL_H = 8 * mm
STAMP_COLUMNS = 3  # stamps per row on the sheet
STAMP_ROW_H = 31 * mm  # stamp, caption and the gap to the next row


def stamp_cells(item: Item) -> list[list[tuple[str, str]]]:
    """The 归档章's 2 × 3 grid: 全宗号 年度 件号 / 机构(问题) 保管期限 页数."""
    return [
        [
            ("全宗号", item.agency.fonds),
            ("年度", str(item.year or "")),
            ("件号", item_number(item)),
        ],
        [
            ("机构", CATEGORY_CODES.get(item.category, "")),
            ("保管期限", item.retention),
            ("页数", str(item.page_count or "")),
        ],
    ]


def _draw_stamp(pdf: canvas.Canvas, font: str, x: float, top: float, item: Item) -> None:
    pdf.setStrokeColorRGB(0.8, 0.1, 0.1)
    pdf.setFillColorRGB(0.8, 0.1, 0.1)
    pdf.setLineWidth(1)
    for row, cells in enumerate(stamp_cells(item)):
        for col, (label, value) in enumerate(cells):
            cx, cy = x + col * STAMP_CELL_W, top - (row + 1) * STAMP_CELL_H
            pdf.rect(cx, cy, STAMP_CELL_W, STAMP_CELL_H)
            pdf.setFont(font, 4.5)
            pdf.drawString(cx + 1.2, cy + STAMP_CELL_H - 5.2, label)
            size = 8.5
            while size > 5 and pdf.stringWidth(value, font, size) > STAMP_CELL_W - 2:
                size -= 0.5
            pdf.setFont(font, size)
            pdf.drawCentredString(cx + STAMP_CELL_W / 2, cy + 2, value)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(font, 6.5)
    caption_y = top - 2 * STAMP_CELL_H - 3.5 * mm
    pdf.drawString(x, caption_y, item.archive_number or "（未归档）")
    title = item.title
    while title and pdf.stringWidth(title, font, 6.5) > 3 * STAMP_CELL_W:
        title = title[:-2] + "…"
    pdf.drawString(x, caption_y - 3 * mm, title)


def archive_stamp_sheet(items: Sequence[Item] | Iterable[Item]) -> bytes:
    """A4 sheets of 归档章, one per item, three across, to cut out or print on labels."""
    font = register_cjk_font()
    items = list(items)
    buf = io.BytesIO()
    width, height = A4
    gap = (width - STAMP_COLUMNS * 3 * STAMP_CELL_W) / (STAMP_COLUMNS + 1)
    top_margin = 20 * mm
    per_page = STAMP_COLUMNS * int((height - top_margin - 12 * mm) // STAMP_ROW_H)
    with _lock:
        pdf = _canvas(buf, A4, "归档章")
        pages = [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]
        for number, chunk in enumerate(pages, start=1):
            pdf.setFont(font, 10)
            pdf.setFillColorRGB(0, 0, 0)
            pdf.drawCentredString(width / 2, height - 12 * mm, f"归档章　第 {number} 页")
            if not chunk:
                pdf.drawCentredString(width / 2, height / 2, "（无归档文件）")
            for index, item in enumerate(chunk):
                row, col = divmod(index, STAMP_COLUMNS)
                x = gap + col * (3 * STAMP_CELL_W + gap)
                _draw_stamp(pdf, font, x, height - top_margin - row * STAMP_ROW_H, item)
            pdf.showPage()
        pdf.save()
    return buf.getvalue()
