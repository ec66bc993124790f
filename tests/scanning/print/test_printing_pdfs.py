"""The printed forms open, carry the expected Chinese text and follow DA/T 22's layout."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
import pytest

from scanning import printing
from tests.scanning.print.conftest import flat, pdf_text

pytestmark = pytest.mark.django_db


def page_size_mm(data: bytes) -> tuple[float, float]:
    pdf = pdfium.PdfDocument(data)
    w, h = pdf[0].get_size()
    pdf.close()
    return w / 72 * 25.4, h / 72 * 25.4


def test_catalogue_has_nine_columns_and_dates(filed_household):
    _, items, _ = filed_household
    data = printing.catalogue(items, "张伟户 归档文件目录")
    text = pdf_text(data)
    assert len(text) == 1
    page = flat(text[0])
    assert "张伟户归档文件目录" in page
    for column in ("序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"):
        assert column in page
    for item in items:
        assert item.archive_number in page
    assert "20240306" in page and "20240307" in page and "20240308" in page
    assert "江核〔2024〕6号" in page
    # The long title wraps inside its cell rather than being cut off.
    assert "收入来源说明）" in page
    w, h = page_size_mm(data)
    assert round(w) == 297 and round(h) == 210


def test_catalogue_repeats_header_on_every_page(filed_household):
    _, items, _ = filed_household
    many = items * 20
    text = pdf_text(printing.catalogue(many, "目录"))
    assert len(text) > 1
    for page in text:
        page = flat(page)
        assert all(c in page for c in ("序号", "档号", "题名", "日期", "备注"))
    assert "第2页" in flat(text[1])


def test_catalogue_marks_destroyed_items(filed_household):
    from archive.models import Item

    _, items, _ = filed_household
    items[0].status = Item.Status.DESTROYED
    assert "已销毁" in flat(pdf_text(printing.catalogue(items[:1]))[0])


def test_box_spine_shows_the_five_fields(filed_household):
    _, items, box = filed_household
    data = printing.box_spine(box)
    page = flat(pdf_text(data)[0])
    for name in ("全宗号", "年度", "保管期限", "起止件号", "盒号"):
        assert name in page
    first = f"{box.first_item_number:04d}"
    last = f"{box.last_item_number:04d}"
    assert box.fonds in page and "2024" in page and "D10" in page
    assert f"{first}-{last}" in page


def test_box_notes_lists_missing_destroyed_and_signatures(filed_household):
    from archive.models import Item

    _, items, box = filed_household
    box.last_item_number = box.first_item_number + 3  # two numbers have no item
    box.save()
    in_box = [i for i in items if i.box_id == box.pk]
    in_box[0].status = Item.Status.DESTROYED
    in_box[0].save()
    page = flat(pdf_text(printing.box_notes(box))[0])
    assert "备考表" in page
    assert "缺件" in page and f"{box.first_item_number + 3:04d}" in page
    assert "已销毁" in page and in_box[0].archive_number in page
    assert "已修裱" in page
    assert "整理人：李娜" in page and "检查人：王强" in page and "2024年05月20日" in page


def test_box_notes_blank_signature_lines(filed_household):
    _, _, box = filed_household
    box.arranged_by = box.checked_by = ""
    box.arranged_on = None
    box.save()
    page = flat(pdf_text(printing.box_notes(box))[0])
    assert "整理人：" in page and "检查人：" in page and "年月日" in page


def test_stamp_sheet_one_stamp_per_item(filed_household):
    _, items, _ = filed_household
    data = printing.archive_stamp_sheet(items)
    page = flat(pdf_text(data)[0])
    for label in ("全宗号", "年度", "保管期限", "件号", "页数", "机构"):
        assert label in page
    assert page.count("全宗号") == len(items)
    for item in items:
        assert item.archive_number in page
    assert "D10" in page and "GC" in page
    # Many items run over several A4 pages.
    text = pdf_text(printing.archive_stamp_sheet(items * 20))
    assert len(text) == 3
    assert sum(flat(p).count("全宗号") for p in text) == 60


def test_empty_forms_still_open():
    assert "无归档文件" in flat(pdf_text(printing.catalogue([], "空目录"))[0])
    assert "无归档文件" in flat(pdf_text(printing.archive_stamp_sheet([]))[0])


def test_yyyymmdd():
    assert printing.yyyymmdd(dt.date(2024, 3, 6)) == "20240306"
    assert printing.yyyymmdd(None) == ""
