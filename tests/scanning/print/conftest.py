"""Fixtures for the printing and home-visit tests: filed items in a box, PDF text."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
import pytest


def pdf_text(data: bytes) -> list[str]:
    """The text of each page, as pdfium extracts it."""
    pdf = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return pages
    finally:
        pdf.close()


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def filed_household(make_household, make_item):
    """张伟户 in 江岸区 with three filed items (one with a long title) in one box."""
    from archive.filing import file_item
    from archive.models import Box

    household = make_household("420102", "张伟")
    items = []
    for code, day in (("SQS", 6), ("RHB", 7), ("HDB", 8)):
        item = make_item(household, code, formation_date=dt.date(2024, 3, day))
        item.responsible = "江岸区居民家庭经济状况核对中心"
        item.document_number = f"江核〔2024〕{day}号"
        item.page_count = day
        item.save()
        items.append(file_item(item))
    long = items[1]
    long.title = "张伟户入户核查表" + "（含邻里访问记录、住房情况、收入来源说明）" * 3
    long.save()
    first = items[0]
    box = Box.objects.create(
        agency=first.agency,
        class_key=first.class_key,
        fonds=first.agency.fonds,
        year=2024,
        retention="D10",
        box_number=3,
        first_item_number=first.item_number,
        last_item_number=first.item_number + 1,
        notes="第 2 件原件破损，已修裱。",
        arranged_by="李娜",
        checked_by="王强",
        arranged_on=dt.date(2024, 5, 20),
    )
    for item in items:
        if item.class_key == box.class_key:
            item.box = box
            item.save()
    return household, items, box
