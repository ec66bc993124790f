"""Separator (cover) sheets: one A4 page per item to be scanned, with our QR code and the
same information in readable Chinese. Put the sheet on top of the item's paper; a stack of
sheet + item, sheet + item … scanned in one go becomes those items (scanning.separators)."""

from __future__ import annotations

import io
from collections.abc import Iterable

import numpy as np
import zxingcpp
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from archive.categories import Category
from archive.identifiers import mask_resident_id
from archive.models import Household, Subtype
from archive.pdf import register_cjk_font
from scanning.payload import encode

QR_SIZE_MM = 35.0  # ≥ 2 cm is required; printed larger so a blurred scan still decodes
QR_EC_LEVEL = "Q"
TITLE = "分隔页"
INSTRUCTIONS = (
    "使用说明：",
    "1. 本页放在该件纸质材料的第一页之前，与材料一起扫描；",
    "2. 多件材料可连续扫描为一个文件，每件之前各放一张本页；",
    "3. 本页不计入件的页数，也不归入档案；",
    "4. 请勿折叠、涂改或遮挡二维码。",
)


def qr_modules(payload: str) -> np.ndarray:
    """The QR code's modules, True = dark, without a quiet zone."""
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=QR_EC_LEVEL)
    image = np.array(barcode.to_image(scale=1, add_quiet_zones=False))
    return image < 128


def missing_subtypes(household: Household) -> list[Subtype]:
    """The standard subtypes this household has no (live) item of: its scanning checklist."""
    have = set(
        household.items.exclude(status="destroyed")
        .exclude(subtype__isnull=True)
        .values_list("subtype_id", flat=True)
    )
    standard = Subtype.objects.filter(agency__isnull=True).exclude(code="")
    return [s for s in standard if s.pk not in have]


def cover_sheets_pdf(sheets: Iterable[tuple[Household, Subtype]]) -> bytes:
    """One A4 separator page per (household, subtype)."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)
    pdf.setTitle("分隔页")
    count = 0
    for household, subtype in sheets:
        _draw_sheet(pdf, household, subtype)
        pdf.showPage()
        count += 1
    if not count:
        raise ValueError("没有要生成的分隔页")
    pdf.save()
    return buf.getvalue()


def _draw_sheet(pdf: canvas.Canvas, household: Household, subtype: Subtype) -> None:
    font = register_cjk_font()
    width, height = A4
    payload = encode(household.head_id_number, subtype.code)
    pdf.setFont(font, 48)
    pdf.drawCentredString(width / 2, height - 40 * mm, TITLE)
    pdf.setFont(font, 12)
    pdf.drawCentredString(width / 2, height - 50 * mm, "（扫描分隔用，不归档）")

    size = QR_SIZE_MM * mm
    _draw_qr(pdf, payload, (width - size) / 2, height - 62 * mm - size, size)
    # The code under the QR, for a human to compare; the ID masked as everywhere else on paper.
    shown = payload.replace(household.head_id_number, mask_resident_id(household.head_id_number))
    pdf.setFont("Courier", 9)
    pdf.drawCentredString(width / 2, height - 68 * mm - size, shown)

    lines = [
        ("户主姓名", household.head_name),
        ("户主身份证号", mask_resident_id(household.head_id_number)),
        ("材料类别", Category(subtype.category).label),
        ("材料子类", f"{subtype.name}（{subtype.code}）"),
        ("核对机构", household.agency.name),
        ("档号", "待归档"),
    ]
    y = height - 85 * mm - size
    for label, value in lines:
        pdf.setFont(font, 16)
        pdf.drawString(35 * mm, y, f"{label}：")
        pdf.drawString(80 * mm, y, value)
        y -= 11 * mm
    pdf.setFont(font, 11)
    y -= 6 * mm
    for line in INSTRUCTIONS:
        pdf.drawString(35 * mm, y, line)
        y -= 7 * mm


def _draw_qr(pdf: canvas.Canvas, payload: str, x: float, y: float, size: float) -> None:
    modules = qr_modules(payload)
    n = modules.shape[0]
    cell = size / n
    pdf.setFillColorRGB(0, 0, 0)
    for row in range(n):
        col = 0
        while col < n:  # one rectangle per run of dark modules in a row
            if not modules[row, col]:
                col += 1
                continue
            start = col
            while col < n and modules[row, col]:
                col += 1
            top = y + size - (row + 1) * cell
            pdf.rect(x + start * cell, top, (col - start) * cell, cell, stroke=0, fill=1)
