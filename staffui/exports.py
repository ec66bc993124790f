"""CSV and XLSX responses for the lists and the statistics; every export is logged (导出).

Cells that a spreadsheet would run as a formula (=, +, -, @ first) are prefixed with an
apostrophe in CSV, and written as plain strings in XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from archive import audit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool | int | float | dt.date):
        return value
    return str(value)


def _csv_cell(value) -> str:
    value = _cell(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # never a formula from data
                    cell.data_type = "s"
        for n, name in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = max(10, len(name) * 2 + 4)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def export_response(
    request,
    *,
    fmt: str,
    name: str,
    sheets: list[tuple[str, list[str], list[list]]],
    what: str,
    filters: dict | None = None,
) -> HttpResponse:
    """The file, and one 导出 entry naming what was exported, how many rows and the filters."""
    if fmt == "xlsx":
        data, content_type, ext = xlsx_bytes(sheets), XLSX, "xlsx"
    else:
        title, header, rows = sheets[0]
        data, content_type, ext = csv_bytes(header, rows), "text/csv; charset=utf-8", "csv"
    audit.record(
        audit.Action.EXPORT,
        request=request,
        object_type=what,
        object_repr=name[:200],
        detail={
            "format": ext,
            "rows": sum(len(rows) for _, _, rows in sheets),
            "filters": filters or {},
            "bytes": len(data),
        },
    )
    filename = f"{name}-{timezone.localdate():%Y%m%d}.{ext}"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response
