"""IDs that pass the check but may be misread, and misread dates.

* A reading with a digit too many (``4228011986052583198``, an 8 read twice) holds a valid ID
  in its first 18 characters: it used to be taken silently (the bench's scan_bw 复核申请书).
  It is no valid ID now: read again by PP-OCR (taken when valid), else kept whole and flagged.
* A valid ID Tesseract is unsure of is read a second time; two valid readings that differ
  keep Tesseract's and flag the field with both (never decided silently).
* A date misread (2023年3月了日) takes the date PP-OCR reads on the line when it agrees with
  every digit Tesseract read.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from archive.identifiers import is_valid_resident_id, resident_id_check_char
from ingest.formocr import cellread, numbercells
from ingest.formocr.extract import extract_document
from ingest.formocr.grid import binarize
from ingest.formocr.values import convert, unsure_ids
from tests.synthetic.layout import FONT_PATH
from tests.synthetic.ocr import have_tesseract

needs_ppocr = pytest.mark.skipif(not cellread.available(), reason="no rapidocr-onnxruntime model")
needs_tesseract = pytest.mark.skipif(not have_tesseract("chi_sim"), reason="no chi_sim Tesseract")

PRINTED = "422801198605253198"
# What Tesseract read for it on the bench (scan_bw, household 2's 复核申请书): an 8 twice.
EXTRA_DIGIT = "4228011986052583198"
# Its first 18 characters are a valid ID: the reading that was taken silently.
PREFIX = EXTRA_DIGIT[:18]


def _other_valid(id_number: str) -> str:
    """A different valid ID: two digits of the birth serial changed, check recomputed."""
    body = id_number[:14] + ("11" if id_number[14:16] != "11" else "22") + id_number[16]
    return body + resident_id_check_char(body)


def _page(text: str) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A white page at 300 dpi with ``text`` printed in one wide cell (its inner box)."""
    img = Image.new("L", (1300, 140), 255)
    ImageDraw.Draw(img).text((420, 45), text, font=ImageFont.truetype(FONT_PATH, 34), fill=0)
    return np.asarray(img), (10, 10, 1290, 130)


def test_a_reading_with_a_digit_too_many_is_no_valid_id():
    assert is_valid_resident_id(PRINTED) and is_valid_resident_id(PREFIX)
    assert numbercells.valid_id(EXTRA_DIGIT) is None
    assert numbercells.needs_reread(EXTRA_DIGIT) == "id"
    # Extraction keeps the whole reading (not its valid first 18) and flags it.
    assert convert(EXTRA_DIGIT, "id") == EXTRA_DIGIT
    [flag] = unsure_ids({"rows": [{"head_id": convert(EXTRA_DIGIT, "id")}]})
    assert flag["path"] == "rows/0/head_id" and flag["value"] == EXTRA_DIGIT
    # One stray mark beside an ID is still the ID; a letter read for a digit too.
    assert numbercells.valid_id(PRINTED + ".") == PRINTED
    assert convert("4228O1198605253198", "id") == PRINTED


@needs_ppocr
def test_the_reading_with_a_digit_too_many_is_read_again_right():
    page, box = _page(PRINTED)
    checked = numbercells.check({0: EXTRA_DIGIT}, [box], page, binarize(page), 300)
    assert checked.found[0][0] == PRINTED and checked.doubts == []


@needs_ppocr
def test_two_valid_readings_that_differ_flag_the_id_and_keep_the_first():
    other = _other_valid(PRINTED)
    assert is_valid_resident_id(other) and other != PRINTED
    page, box = _page(PRINTED)
    ink = binarize(page)
    # Tesseract read another valid ID, sure of it: nothing is read again.
    sure = numbercells.check({0: other}, [box], page, ink, 300, {0: 90.0})
    assert sure.found == {} and sure.doubts == []
    # Unsure of it: PP-OCR reads what is printed, the two differ, the cell is a doubt.
    unsure = numbercells.check({0: other}, [box], page, ink, 300, {0: 12.0})
    assert unsure.found == {}
    assert unsure.doubts == [{"cell": 0, "kind": "id", "readings": [other, PRINTED]}]
    # Unsure, and the second reading agrees: no doubt.
    agreed = numbercells.check({0: PRINTED}, [box], page, ink, 300, {0: 12.0})
    assert agreed.found == {} and agreed.doubts == []


def _review_page(head_id: str, unsure: list[dict]) -> dict:
    header = ["户主姓名", "户主身份证号", "申请人姓名", "申请人身份证号", "复核项目", "报告编号"]
    values = ["王伟", head_id, "王子", "420582201407117771", "收入", ""]
    cells = [
        {"table": 0, "row": r, "col": c, "rowspan": 1, "colspan": 1, "box": [0] * 4, "text": t}
        for r, row in enumerate((header, values))
        for c, t in enumerate(row)
    ]
    title = {"text": "社会救助家庭经济状况核对复核申请书", "box": [0, 0, 10, 10], "cell": None}
    page = {"size": [10, 10], "dpi": 300, "tables": [[0] * 4], "cells": cells, "lines": [title]}
    return {**page, "unsure": unsure} if unsure else page


def test_extraction_flags_an_id_two_readings_gave_differently():
    other = _other_valid(PRINTED)
    doubt = {"cell": 7, "kind": "id", "readings": [other, PRINTED]}
    form = extract_document([_review_page(other, [doubt])])
    assert form["fields"]["rows"][0]["head_id"] == other  # kept as first read, not decided
    [flag] = form["unsure"]
    assert flag["path"] == "rows/0/head_id" and flag["value"] == other
    assert other in flag["reason"] and PRINTED in flag["reason"]
    assert "unsure" not in extract_document([_review_page(PRINTED, [])])


def _table_image(head_id: str) -> Image.Image:
    """A 复核申请书 as a page image: its title and a ruled table of a header row and one row."""
    img = Image.new("L", (2480, 900), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT_PATH, 40)
    draw.text((700, 100), "社会救助家庭经济状况核对复核申请书", font=font, fill=0)
    small = ImageFont.truetype(FONT_PATH, 30)
    cols = [150, 450, 1050, 1300, 1900, 2150, 2330]
    rows = [300, 420, 560]
    header = ["户主姓名", "户主身份证号", "申请人姓名", "申请人身份证号", "复核项目", "报告编号"]
    values = ["王伟", head_id, "王子", "420582201407117771", "收入", ""]
    for y in rows:
        draw.line((cols[0], y, cols[-1], y), fill=0, width=3)
    for x in cols:
        draw.line((x, rows[0], x, rows[-1]), fill=0, width=3)
    for r, row in enumerate((header, values)):
        for c, text in enumerate(row):
            draw.text((cols[c] + 20, rows[r] + 40), text, font=small, fill=0)
    return img


@pytest.mark.slow
@needs_tesseract
def test_a_cell_printed_with_a_digit_too_many_is_never_a_valid_id():
    """Real OCR on a rendered page: whatever is read for a 19-digit cell, the field is never
    the valid ID made of its first 18 digits, and it is flagged."""
    from ingest.formocr.recognise import recognise

    page = recognise(np.asarray(_table_image(EXTRA_DIGIT)), 300.0)
    form = extract_document([json.loads(json.dumps(page.as_json(), default=int))])
    [row] = form["fields"]["rows"]
    assert row["id_number"] == "420582201407117771"
    assert row["head_id"] != PREFIX
    assert [u["path"] for u in form["unsure"]] == ["rows/0/head_id"]


def test_which_dates_are_misread():
    assert [m.group(0) for m in numbercells.bad_dates("出具时间:2023年3月了日")] == [
        "2023年3月了日"
    ]
    assert numbercells.bad_dates("出具时间:2023年3月7日") == []
    assert numbercells.bad_dates("2023年12月31日至2024年1月1日") == []
    assert len(numbercells.bad_dates("2023年13月1日")) == 1  # no such month
    assert len(numbercells.bad_dates("2O23年3月7日")) == 1
    assert numbercells.bad_dates("家庭成员每年3月领取") == []  # words, no date


def _line(text: str) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """``text`` printed as a line on a page, and the line's box."""
    img = Image.new("L", (1300, 140), 255)
    font = ImageFont.truetype(FONT_PATH, 34)
    ImageDraw.Draw(img).text((200, 45), text, font=font, fill=0)
    x0, y0, x1, y1 = font.getbbox(text)
    return np.asarray(img), (200 + x0, 45 + y0, 200 + x1, 45 + y1)


@needs_ppocr
def test_a_misread_date_takes_the_date_read_again_when_the_digits_agree():
    page, box = _line("核对报告出具时间：2023年3月7日")
    mended = numbercells.reread_dates([("核对报告出具时间:2023年3月了日", box)], page)
    # Only the date is taken from the second reading; the words stay Tesseract's.
    assert mended == {0: "核对报告出具时间:2023年3月7日"}
    # A second reading that contradicts a digit Tesseract read is not taken.
    assert numbercells.reread_dates([("核对报告出具时间:2024年3月了日", box)], page) == {}
    # A date read right is not read again.
    assert numbercells.reread_dates([("核对报告出具时间:2023年3月7日", box)], page) == {}
