"""The print copy of a born-digital item: its PDF with the 归档章 stamped on page 1.

The 归档章 (DA/T 22) is a box of two rows and three columns at the top right of the first
page: 全宗号 · 年度 · 件号 over 机构(问题) · 保管期限 · 页数. The overlay is drawn with
reportlab (WenQuanYi Zen Hei; reportlab cannot read Noto's CFF outlines) and merged with
pikepdf. The paper filed from this copy can later be checked against the electronic record.

The copy is made on demand — when it is first fetched (``POST /api/v1/print-tasks/{档号}/copy``),
marked printed, or by ``manage.py print_tasks --generate`` — not at push, and kept on the task
afterwards (made once: the task row is locked while the copy is attached).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import pikepdf
from django.db import transaction
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from archive.categories import CATEGORY_CODES
from archive.models import File, Item, PrintTask
from archive.pdf import register_cjk_font
from archive.storage import read_blob, store_bytes

CELL_W = 16 * mm
CELL_H = 8 * mm
MARGIN = 10 * mm
RED = (0.8, 0.1, 0.1)

_pdf_lock = threading.Lock()  # reportlab's font registry and pikepdf objects per call


@dataclass(frozen=True)
class FilingStamp:
    fonds: str
    year: str
    item_number: str
    org: str
    retention: str
    pages: str
    archive_number: str

    @classmethod
    def of(cls, item: Item) -> FilingStamp:
        return cls(
            fonds=item.agency.fonds,
            year=str(item.year or ""),
            item_number=f"{item.item_number:04d}" if item.item_number else "",
            org=CATEGORY_CODES.get(item.category, ""),
            retention=item.retention,
            pages=str(item.page_count or ""),
            archive_number=item.archive_number or "",
        )

    def cells(self) -> list[list[tuple[str, str]]]:
        return [
            [("全宗号", self.fonds), ("年度", self.year), ("件号", self.item_number)],
            [("机构", self.org), ("保管期限", self.retention), ("页数", self.pages)],
        ]


def _overlay(width: float, height: float, stamp: FilingStamp) -> bytes:
    font = register_cjk_font()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(width, height), invariant=1)
    left = width - MARGIN - 3 * CELL_W
    top = height - MARGIN
    pdf.setStrokeColorRGB(*RED)
    pdf.setFillColorRGB(*RED)
    pdf.setLineWidth(1)
    for row, cells in enumerate(stamp.cells()):
        for col, (label, value) in enumerate(cells):
            x, y = left + col * CELL_W, top - (row + 1) * CELL_H
            pdf.rect(x, y, CELL_W, CELL_H, stroke=1, fill=0)
            pdf.setFont(font, 4.5)
            pdf.drawString(x + 1.2, y + CELL_H - 5.5, label)
            pdf.setFont(font, 8 if len(value) <= 8 else 6)
            pdf.drawCentredString(x + CELL_W / 2, y + 2.2, value)
    pdf.setFont(font, 6)
    pdf.drawRightString(left + 3 * CELL_W, top - 2 * CELL_H - 8, f"档号 {stamp.archive_number}")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def stamped_copy(data: bytes, stamp: FilingStamp) -> bytes:
    """``data`` (a PDF) with the 归档章 overlaid on its first page."""
    with _pdf_lock, pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        overlay_bytes = _overlay(x1 - x0, y1 - y0, stamp)
        with pikepdf.open(io.BytesIO(overlay_bytes)) as overlay:
            page.add_overlay(overlay.pages[0], pikepdf.Rectangle(x0, y0, x1, y1))
            out = io.BytesIO()
            pdf.save(out)
    return out.getvalue()


def print_copy(task: PrintTask) -> File:
    """The task's print copy, made now if it has none yet."""
    if task.file_id is None:
        task.file = make_print_copy(task)
    return task.file


def make_print_copy(task: PrintTask) -> File:
    """Store the print copy of the task's item and attach it to the task."""
    item = task.item
    original = item.files.filter(role=File.Role.ORIGINAL).order_by("pk").first()
    if original is None:
        raise ValueError(f"{item} 没有原件，不能生成打印件")
    data = stamped_copy(read_blob(original.sha256), FilingStamp.of(item))
    blob = store_bytes(data)
    with transaction.atomic():
        task = PrintTask.objects.select_for_update().get(pk=task.pk)
        if task.file_id is not None:
            return task.file
        copy = File.objects.create(
            item=item,
            role=File.Role.PRINT,
            sha256=blob.sha256,
            size=blob.size,
            media_type="application/pdf",
            original_name=f"{item.archive_number}-print.pdf",
        )
        PrintTask.objects.filter(pk=task.pk).update(file=copy)
    return copy
