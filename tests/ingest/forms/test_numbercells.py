"""Number cells: a resident ID failing its check digit, or an amount not in its format, is
read again by PP-OCR and only a reading that passes is taken; an ID that stays invalid is kept
as read and flagged as unsure."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from archive.identifiers import is_valid_resident_id, resident_id_check_char
from ingest.formocr import cellread, numbercells
from ingest.formocr.extract import extract_document
from ingest.formocr.grid import binarize
from ingest.formocr.textbox import text_box
from ingest.formocr.values import convert, unsure_ids
from tests.synthetic.layout import FONT_PATH

needs_ppocr = pytest.mark.skipif(not cellread.available(), reason="no rapidocr-onnxruntime model")

PRINTED = "420102198503151007"
# The same ID with its check digit wrong: what a form filled in by hand may carry.
WRONG_CHECK = PRINTED[:17] + "3"


def _page(text: str, specks: int = 0) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A white page at 300 dpi with ``text`` printed in one wide table cell (its inner box),
    and ``specks`` dots of 3×3 pixels strewn over the cell as on a heavy scan."""
    img = Image.new("L", (1300, 140), 255)
    font = ImageFont.truetype(FONT_PATH, 34)
    draw = ImageDraw.Draw(img)
    draw.text((420, 45), text, font=font, fill=0)
    rng = np.random.default_rng(7)
    for x, y in zip(rng.integers(20, 1280, specks), rng.integers(20, 120, specks), strict=True):
        draw.rectangle((int(x), int(y), int(x) + 2, int(y) + 2), fill=60)
    return np.asarray(img), (10, 10, 1290, 130)


def test_ids_are_valid_or_not_as_printed():
    assert is_valid_resident_id(PRINTED)
    assert resident_id_check_char(PRINTED[:17]) != WRONG_CHECK[-1]
    assert not is_valid_resident_id(WRONG_CHECK)


def test_which_readings_are_number_cells_that_need_reading_again():
    check = numbercells.needs_reread
    assert check(PRINTED) is None  # valid: left alone
    assert check("4201O2 19850315 1007") is None  # letter O, spaces: valid after the fixes
    assert check("420102198503151807") == "id"  # one digit misread: the check fails
    assert check("42010219850315107") == "id"  # a digit lost
    assert check("7,212.23元") is None and check("600元") is None and check("1758.23") is None
    assert check("242.237C") == "amount"  # 元 read as 7C: three decimals
    assert check("7,212.23兀") == "amount"
    assert check("张伟华") is None  # not a number
    assert check("13812345678") is None  # a phone number: digits alone pass
    assert check("第420102202401010001hbs12号") is None  # a report number
    assert check("2024年3月15日") is None  # a date
    assert check("子女每月给付赡养费约600元") is None  # words around a number


@needs_ppocr
def test_a_misread_digit_is_corrected_by_a_reread_that_passes_the_checksum():
    page, box = _page(PRINTED, specks=60)
    # Tesseract read an 8 for the 0 at position 15: the check digit fails.
    found = numbercells.check({0: "420102198503151807"}, [box], page, binarize(page), 300).found
    assert found[0][0] == PRINTED
    # A valid reading is not read again.
    assert numbercells.check({0: PRINTED}, [box], page, binarize(page), 300).found == {}


@needs_ppocr
def test_a_reread_that_fails_the_checksum_too_is_not_taken_and_the_field_is_flagged():
    page, box = _page(WRONG_CHECK)
    ink = binarize(page)
    # PP-OCR reads the page right, but what is printed is no valid ID: nothing is taken.
    assert cellread.decode(cellread.probabilities([np.dstack([page] * 3)[5:135]])[0])[0]
    assert numbercells.check({0: WRONG_CHECK}, [box], page, ink, 300).found == {}
    fields = {"members": [{"name": "张伟华", "id_number": convert(WRONG_CHECK, "id")}]}
    [flag] = unsure_ids(fields)
    assert flag["path"] == "members/0/id_number" and flag["value"] == WRONG_CHECK
    assert "校验码" in flag["reason"]


def test_the_text_box_leaves_the_specks_of_a_noisy_cell_out():
    page, box = _page("7,212.23元", specks=80)
    x0, y0, x1, y1 = text_box(binarize(page), box, 2)
    # The text starts at x=420 and is about 160 pixels wide; the specks span the whole cell.
    assert 410 <= x0 <= 430 and 560 <= x1 <= 640 and y1 - y0 < 60


@pytest.mark.parametrize("name", ["王二", "柯雪芸", "三"])
@pytest.mark.parametrize("specks", [0, 80])
def test_the_text_box_keeps_characters_made_of_flat_or_stacked_parts(name, specks):
    """二's strokes, 雪's and 芸's stacked parts are each under half a character tall: taken
    one by one they looked like specks, and 王二 was cropped (and read) as 王."""
    page, box = _page(name, specks=specks)
    left, _, right, _ = ImageFont.truetype(FONT_PATH, 34).getbbox(name)
    x0, y0, x1, y1 = text_box(binarize(page), box, 2)
    assert abs(x0 - (420 + left)) <= 4 and abs(x1 - (420 + right)) <= 4
    assert y1 - y0 < 60


@needs_ppocr
def test_an_amount_misread_by_tesseract_is_read_again_in_its_format():
    page, box = _page("7,212.23元", specks=80)
    [(text, _)] = numbercells.check(
        {0: "242.237C"}, [box], page, binarize(page), 300
    ).found.values()
    assert convert(text, "amount") == "7212.23"
    # A cell that holds no amount in the printed format keeps what Tesseract read.
    page, box = _page("7,2l2.2元")
    assert numbercells.check({0: "7,2l2.2元"}, [box], page, binarize(page), 300).found == {}


def _cell(row: int, col: int, text: str) -> dict:
    return {
        "table": 0,
        "row": row,
        "col": col,
        "rowspan": 1,
        "colspan": 1,
        "box": [0] * 4,
        "text": text,
    }


def _cells_page(rows: list[tuple[str, str]]) -> dict:
    """A 复核申请书's page structure as ``recognise`` stores it, with the given IDs."""
    header = ["户主姓名", "户主身份证号", "申请人姓名", "申请人身份证号", "复核项目", "报告编号"]
    cells = [_cell(0, c, t) for c, t in enumerate(header)]
    for r, (head_id, id_number) in enumerate(rows, start=1):
        values = ["张伟华", head_id, "李秀英", id_number, "收入", ""]
        cells += [_cell(r, c, t) for c, t in enumerate(values)]
    title = {"text": "社会救助家庭经济状况核对复核申请书", "box": [0, 0, 10, 10], "cell": None}
    return {"size": [10, 10], "dpi": 300, "tables": [[0] * 4], "cells": cells, "lines": [title]}


def test_extraction_lists_the_ids_left_invalid_and_only_those():
    form = extract_document([_cells_page([(PRINTED, WRONG_CHECK)])])
    assert form["fields"]["rows"][0]["head_id"] == PRINTED
    assert [u["path"] for u in form.get("unsure", [])] == ["rows/0/id_number"]
    clean = extract_document([_cells_page([(PRINTED, PRINTED)])])
    assert "unsure" not in clean


def test_which_amount_readings_are_doubted():
    doubt = numbercells.amount_doubt
    # "2,746.73" printed over 157 pixels of a 32-pixel line, read as "73": characters lost.
    assert doubt("73", (2846, 1775, 3003, 1807), page_thousands=False)
    assert not doubt("2,746.73", (2846, 1775, 3003, 1807), page_thousands=False)
    assert not doubt("73", (2846, 1775, 2880, 1807), page_thousands=False)  # a real 73
    # Four digits before the point without the comma the page's other amounts print.
    assert doubt("241291.09", (740, 1473, 917, 1504), page_thousands=True)
    assert not doubt("241291.09", (740, 1473, 917, 1504), page_thousands=False)
    assert not doubt("600.00", (740, 1473, 830, 1504), page_thousands=True)
    # Words and Chinese text are no amounts; a lone 无 in a wide box neither.
    assert not doubt("无", (740, 1473, 917, 1504), page_thousands=True)
    assert not doubt("子女每月给付赡养费约600元", (0, 0, 900, 32), page_thousands=True)


@needs_ppocr
def test_an_amount_read_too_short_or_without_its_comma_is_read_again():
    page, box = _page("2,746.73")
    ink = binarize(page)
    # Tesseract read only the cents of a clear amount: PP-OCR's whole reading is taken.
    found = numbercells.check({0: "73"}, [box], page, ink, 300).found
    assert found[0][0] == "2,746.73"
    # The comma read as a digit, on a page whose other amounts print theirs.
    page, box = _page("21,291.09")
    ink = binarize(page)
    texts = {0: "241291.09", 1: "1,806.79"}
    found = numbercells.check(texts, [box, box], page, ink, 300).found
    assert found[0][0] == "21,291.09"
    # A right reading is not replaced.
    assert numbercells.check({0: "21,291.09"}, [box], page, ink, 300).found == {}
    # A phone number on such a page is doubted (digits without a comma) but read the same.
    page, box = _page("13600797865")
    texts = {0: "13600797865", 1: "1,806.79"}
    assert numbercells.check(texts, [box, box], page, binarize(page), 300).found == {}
