"""Resident-ID cells: a reading that fails the check digit is read again by PP-OCR, and only
a valid ID is taken; an ID that stays invalid is kept as read and flagged as unsure."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from archive.identifiers import is_valid_resident_id, resident_id_check_char
from ingest.formocr import cellread, idcells
from ingest.formocr.extract import extract_document
from ingest.formocr.grid import binarize
from ingest.formocr.values import convert, unsure_ids
from tests.synthetic.layout import FONT_PATH

needs_ppocr = pytest.mark.skipif(not cellread.available(), reason="no rapidocr-onnxruntime model")

PRINTED = "420102198503151007"
# The same ID with its check digit wrong: what a form filled in by hand may carry.
WRONG_CHECK = PRINTED[:17] + "3"


def _page(text: str) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A white page at 300 dpi with ``text`` printed in one table cell (its inner box)."""
    img = Image.new("L", (900, 140), 255)
    font = ImageFont.truetype(FONT_PATH, 34)
    ImageDraw.Draw(img).text((40, 45), text, font=font, fill=0)
    return np.asarray(img), (10, 10, 890, 130)


def test_ids_are_valid_or_not_as_printed():
    assert is_valid_resident_id(PRINTED)
    assert resident_id_check_char(PRINTED[:17]) != WRONG_CHECK[-1]
    assert not is_valid_resident_id(WRONG_CHECK)


def test_which_readings_are_id_cells_that_need_reading_again():
    assert not idcells.needs_reread(PRINTED)  # valid: left alone
    assert not idcells.needs_reread("4201O2 19850315 1007")  # letter O, spaces: valid after fixes
    assert idcells.needs_reread("420102198503151807")  # one digit misread: the check fails
    assert idcells.needs_reread("42010219850315107")  # a digit lost
    assert not idcells.needs_reread("张伟华")  # not an ID
    assert not idcells.needs_reread("13812345678")  # a phone number
    assert not idcells.needs_reread("第420102202401010001hbs12号")  # a report number


@needs_ppocr
def test_a_misread_digit_is_corrected_by_a_reread_that_passes_the_checksum():
    page, box = _page(PRINTED)
    # Tesseract read an 8 for the 0 at position 15: the check digit fails.
    found = idcells.reread({0: "420102198503151807"}, [box], page, binarize(page), 300)
    assert found[0][0] == PRINTED
    # A valid reading is not read again.
    assert idcells.reread({0: PRINTED}, [box], page, binarize(page), 300) == {}


@needs_ppocr
def test_a_reread_that_fails_the_checksum_too_is_not_taken_and_the_field_is_flagged():
    page, box = _page(WRONG_CHECK)
    ink = binarize(page)
    # PP-OCR reads the page right, but what is printed is no valid ID: nothing is taken.
    assert cellread.decode(cellread.probabilities([np.dstack([page] * 3)[5:135]])[0])[0]
    assert idcells.reread({0: WRONG_CHECK}, [box], page, ink, 300) == {}
    fields = {"members": [{"name": "张伟华", "id_number": convert(WRONG_CHECK, "id")}]}
    [flag] = unsure_ids(fields)
    assert flag["path"] == "members/0/id_number" and flag["value"] == WRONG_CHECK
    assert "校验码" in flag["reason"]


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
