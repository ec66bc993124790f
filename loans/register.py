"""借阅登记簿: one row per item lent, for a period and a jurisdiction, as rows, XLSX or PDF.

The columns follow the standard's list for use (borrower, unit, date, items, purpose,
approver, due, returned, condition, handler) with the pages issued and counted back.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from archive.pdf import register_cjk_font
from loans.models import Loan, LoanItem

COLUMNS = [
    ("borrower", "借阅人"),
    ("unit", "单位"),
    ("date", "借阅日期"),
    ("archive_number", "档号"),
    ("title", "题名"),
    ("pages_issued", "发放页数"),
    ("pages_counted", "归还页数"),
    ("purpose", "目的"),
    ("approver", "审批人"),
    ("due", "应还时间"),
    ("returned_at", "归还时间"),
    ("condition", "状况"),
    ("handled_by", "经办人"),
    ("status", "状态"),
]


def _name(user) -> str:
    return (user.real_name or user.username) if user else ""


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def register_lines(loans) -> list[LoanItem]:
    return list(
        LoanItem.objects.filter(loan__in=loans)
        .select_related("item", "loan", "loan__decided_by", "loan__returned_to", "loan__issued_by")
        .order_by("loan__date", "loan_id", "pk")
    )


def rows(loans) -> list[dict]:
    """The register's rows (strings and numbers) for these loans, oldest first."""
    out = []
    for line in register_lines(loans):
        loan = line.loan
        out.append(
            {
                "loan": loan.pk,
                "borrower": loan.borrower_name,
                "unit": loan.borrower_unit,
                "date": loan.date.isoformat(),
                "archive_number": line.item.archive_number or "",
                "title": line.item.title,
                "pages_issued": line.pages_issued,
                "pages_counted": line.pages_counted,
                "purpose": loan.purpose,
                "approver": _name(loan.decided_by) if loan.status != Loan.Status.REFUSED else "",
                "due": f"{loan.date.isoformat()} {loan.end_time.strftime('%H:%M')}",
                "returned_at": _when(loan.returned_at),
                "condition": line.get_condition_display() if line.condition else "",
                "handled_by": _name(loan.returned_to or loan.issued_by),
                "status": loan.get_status_display(),
            }
        )
    return out


def title_for(start: dt.date, end: dt.date, scope: str) -> str:
    return f"借阅登记簿（{scope}，{start.isoformat()} 至 {end.isoformat()}）"


def to_xlsx(data: list[dict], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "借阅登记簿"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in data:
        sheet.append([row[key] if row[key] is not None else "" for key, _ in COLUMNS])
    widths = [10, 18, 12, 28, 30, 9, 9, 20, 10, 17, 17, 8, 10, 12]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(data: list[dict], title: str) -> bytes:
    """A landscape A4 table with the CJK font; long titles wrap inside their cell."""
    font = register_cjk_font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5)
    head = ParagraphStyle("head", parent=cell, fontSize=8)
    heading = ParagraphStyle("title", fontName=font, fontSize=15, leading=20, alignment=1)
    table_rows = [[Paragraph(label, head) for _, label in COLUMNS]]
    for row in data:
        table_rows.append(
            [Paragraph("" if row[k] is None else str(row[k]), cell) for k, _ in COLUMNS]
        )
    widths = [16, 24, 17, 34, 38, 11, 11, 26, 15, 19, 19, 10, 15, 17]
    table = Table(table_rows, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=8 * mm,
        rightMargin=8 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=title,
        invariant=1,
    )
    story = [Paragraph(title, heading), Table([[""]], rowHeights=[4 * mm]), table]
    if not data:
        story.append(Paragraph("本期间没有借阅记录。", cell))
    doc.build(story)
    return buf.getvalue()
