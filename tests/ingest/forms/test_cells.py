"""Names and short coded cells: columns found by their header text, cells re-read by PP-OCR."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ingest.formocr import cellread, columns
from ingest.formocr.grid import Cell
from tests.ingest.forms.conftest import needs_tesseract, read_form
from tests.synthetic.layout import FONT_PATH

needs_ppocr = pytest.mark.skipif(not cellread.available(), reason="no rapidocr-onnxruntime model")
FONT = FONT_PATH


def _cell(table, row, col, x0, x1, text, y0=None):
    y0 = 100 + 60 * row if y0 is None else y0
    return Cell(table, row, col, (x0, y0, x1, y0 + 50), text=text)


def test_columns_found_by_their_header_whatever_their_order():
    # 性别 left of 姓名 this time; a merged row ends the columns; the other table is apart.
    cells = [
        _cell(0, 0, 0, 0, 100, "性别"),
        _cell(0, 0, 1, 100, 300, "姓 名"),
        _cell(0, 0, 2, 300, 420, "与户主关系"),
        _cell(0, 1, 0, 0, 100, "区"),
        _cell(0, 1, 1, 100, 300, "张翠敏"),
        _cell(0, 1, 2, 300, 420, "女"),
        _cell(0, 2, 0, 0, 420, "家庭财产情况"),
        _cell(0, 3, 0, 0, 100, "无"),
        _cell(1, 0, 0, 0, 100, "男"),
    ]
    assert columns.column_cells(cells, 300) == {3: "sex", 4: "name", 5: "relation"}


def test_a_lone_label_beside_its_value_is_not_a_column_header():
    # 户主姓名 | 柯新德 | 家庭人口 | 2 is a header line printed as cells: the labels under
    # 户主姓名 (地址, 共同生活家庭成员) are not names to re-read as one line.
    cells = [
        _cell(0, 0, 0, 0, 100, "户主姓名"),
        _cell(0, 0, 1, 100, 300, "柯新德"),
        _cell(0, 0, 2, 300, 420, "家庭人口"),
        _cell(0, 1, 0, 0, 100, "地址"),
        _cell(0, 2, 0, 0, 100, "共同生活家庭成员"),
        _cell(0, 2, 1, 100, 300, "姓名"),
        _cell(0, 2, 2, 300, 420, "性别"),
        _cell(0, 3, 1, 100, 300, "韩玲"),
        _cell(0, 3, 2, 300, 420, "女"),
    ]
    assert columns.column_cells(cells, 300) == {7: "name", 8: "sex"}


def test_a_value_that_names_a_header_word_is_not_a_column():
    assert columns.header_kind("婚姻状况") == "marital"
    assert columns.header_kind("户籍登记3人（张伟、张铭莲、张翠敏），与申报信息一致") is None


def _line(text: str, height: int = 60) -> np.ndarray:
    font = ImageFont.truetype(FONT, int(height * 0.7))
    width = int(font.getlength(text)) + height
    img = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(img).text((height // 2, height // 8), text, font=font, fill="black")
    return np.asarray(img)


@needs_ppocr
def test_ppocr_reads_a_name_and_vocabulary_choice_is_scored():
    probs = cellread.probabilities([_line("张翠敏"), _line("丧偶")])
    assert cellread.decode(probs[0])[0] == "张翠敏"
    word, margin = cellread.choose(probs[1], columns.VOCABULARY["marital"])
    assert word == "丧偶" and margin > 3
    # The score of the printed word is far above a word that is not there.
    assert cellread.score(probs[1], "丧偶") > cellread.score(probs[1], "未婚") + 3


@pytest.mark.slow
@needs_tesseract
@needs_ppocr
def test_sex_relation_marital_and_age_cells_on_a_heavy_scan(households):
    rendered, _, form = read_form("home_visit", households, "heavy")
    truth, got = rendered.fields["members"], form["fields"]["members"]
    for key in ("sex", "relation", "marital_status", "age"):
        assert [str(m.get(key)) for m in got] == [str(m[key]) for m in truth], key


@pytest.mark.slow
@needs_tesseract
@needs_ppocr
def test_names_tesseract_misreads_are_read_right(households, monkeypatch):
    names = [m["name"] for m in read_form("home_visit", households, "scan")[0].fields["members"]]
    got = [m["name"] for m in read_form("home_visit", households, "scan")[2]["fields"]["members"]]
    assert got == names
    # The same page with Tesseract alone: at least one name comes out wrong (张翠敏 → 张以敏),
    # which is why the name column is read again.
    monkeypatch.setattr(cellread, "available", lambda: False)
    plain = [m["name"] for m in read_form("home_visit", households, "scan")[2]["fields"]["members"]]
    assert plain != names
