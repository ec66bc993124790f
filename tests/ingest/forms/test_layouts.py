"""Forms as other agencies print them (``tests/synthetic/printed``): columns found by their
header text, merged cells filled once, words kept in amount cells, a template mismatch
reported, tables continued across pages, the text outside the tables kept."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ingest.formocr.extract import convert, extract_document
from ingest.formocr.grid import analyse
from tests.ingest.forms.conftest import needs_tesseract
from tests.synthetic import make_households
from tests.synthetic.printed import render_printed


@pytest.fixture(scope="module")
def with_obligors():
    households = make_households(12, seed=2024)
    return [households[i] for i in (4, 8, 10, 11, 0, 3)]


def _cell(r, c, text, colspan=1, rowspan=1, table=0, top=300):
    box = [100 + 200 * c, top + 100 * r, 100 + 200 * (c + colspan), top + 100 * (r + rowspan)]
    return {"table": table, "row": r, "col": c, "rowspan": rowspan, "colspan": colspan,
            "box": box, "text": text}  # fmt: skip


def _page(cells, lines, tables=1):
    return {
        "size": [3508, 2480],
        "dpi": 300,
        "tables": [[100, 300, 3000, 2000]] * tables,
        "cells": cells,
        "lines": [
            {"text": t, "box": [100, 60 + 40 * n, 900, 90 + 40 * n], "cell": None}
            for n, t in enumerate(lines)
        ]
        + [{"text": c["text"], "box": c["box"], "cell": i} for i, c in enumerate(cells)],
    }


def test_swapped_columns_map_by_header_text():
    header = ["姓名", "性别", "身份证号码", "年龄", "与户主关系", "婚姻状况"]
    row = ["韩玲", "女", "421003194806107568", "76", "配偶", "已婚"]
    cells = [_cell(0, c, t) for c, t in enumerate(header)] + [
        _cell(1, c, t) for c, t in enumerate(row)
    ]
    form = extract_document(
        [_page(cells, ["居民家庭经济状况入户核查表", "户主姓名：柯新德家庭人口：2"])]
    )
    assert form["template"] == "home_visit" and form["subtype"] == "入户核查表"
    member = form["fields"]["members"][0]
    assert member["name"] == "韩玲" and member["relation"] == "配偶"
    assert member["sex"] == "女" and member["age"] == 76 and member["marital_status"] == "已婚"
    assert member["id_number"] == "421003194806107568"
    assert form["fields"]["head_name"] == "柯新德"
    # Columns this layout does not print are listed, not filled from a neighbour.
    assert "members.phone" in form["missing"] and "phone" not in member


def test_merged_cell_fills_one_field_and_words_stay_words():
    heads = ["工资性收入", "家庭经营净收入", "财产性收入", "转移性收入", "其他应计入收入"]
    prose = "柯刚波务工月收入约2,300元；柯雪务工月收入约2,600元"
    cells = (
        [_cell(0, 0, "家庭收入情况")]
        + [_cell(0, c + 1, h) for c, h in enumerate(heads)]
        + [_cell(1, 0, "共同生活成员")]
        + [_cell(1, c + 1, v) for c, v in enumerate(["无", "8,393.48", "542.91"])]
        + [_cell(1, 4, "子女每月给付赡养费约600元"), _cell(1, 5, "无")]
        + [_cell(2, 0, "非共同生活法定义务人"), _cell(2, 1, prose, colspan=5)]
    )
    form = extract_document([_page(cells, ["居民家庭经济状况入户核查表"])])
    fields = form["fields"]
    assert fields["obligor_income"] == {"工资性收入": convert(prose, "text")}
    assert fields["income"]["家庭经营净收入"] == "8393.48"
    assert fields["income"]["转移性收入"] == "子女每月给付赡养费约600元"
    detail = next(d for d in form["amounts"] if d["field"] == "obligor_income.工资性收入")
    assert len(detail["covers"]) == 5
    assert detail["amounts"] == [
        {"person": "柯刚波", "amount": "2300.00"},
        {"person": "柯雪", "amount": "2600.00"},
    ]


def test_template_mismatch_is_reported_not_mapped():
    header = ["序号", "户主姓名", "户主身份证号", "成员姓名", "成员身份证号"]
    cells = [_cell(0, c, t) for c, t in enumerate(header)]
    form = extract_document([_page(cells, ["居民家庭经济状况入户核查表"])])
    assert form["fields"] == {}
    assert form["mismatch"] and "核对委托书" in form["mismatch"][0]


def test_frame_around_title_and_header_is_not_a_cell(with_obligors):
    page = render_printed("home_visit_landscape", with_obligors[0]).images[0]
    grid = analyse(np.asarray(page.convert("L")), 300)
    assert len(grid.tables) == 1
    top = grid.tables[0][1]
    # The title (21 mm) and the header line (31 mm) are above the table's box now.
    assert top > 33 / 25.4 * 300
    assert all(c.box[1] >= top for c in grid.cells)


def _read(images, preset="scan"):
    from ingest.formocr.recognise import recognise
    from tests.synthetic.degrade import degrade

    pages = []
    for n, img in enumerate(images):
        scan = degrade(img, preset, seed=n)
        result = recognise(np.asarray(scan.convert("L")), scan.info["dpi"][0])
        pages.append(json.loads(json.dumps(result.as_json(), default=int)))
    return pages


@pytest.mark.slow
@needs_tesseract
def test_two_page_members_table_yields_every_member(with_obligors):
    form = render_printed("roster_two_pages", with_obligors)
    got = extract_document(_read(form.images))
    roster = got["fields"]["roster"]
    assert [r["head_id"] for r in roster] == [r["head_id"] for r in form.fields["roster"]]
    ids = [m["id_number"] for r in roster for m in r["members"]]
    wanted = [m["id_number"] for r in form.fields["roster"] for m in r["members"]]
    assert ids == wanted


@pytest.mark.slow
@needs_tesseract
def test_landscape_form_text_outside_the_table(with_obligors):
    form = render_printed("home_visit_landscape", with_obligors[0])
    pages = _read(form.images)
    text = "".join(ln["text"] for ln in pages[0]["lines"])
    assert "入户核查表" in text and "户主姓名" in text
    got = extract_document(pages)
    assert got["subtype_from"] == "title"
    assert got["fields"]["head_name"] == with_obligors[0].head_name
    assert got["fields"]["phone"] == with_obligors[0].head.phone
    # The obligors' income, one cell across five columns, is in one field only.
    assert len(got["fields"]["obligor_income"]) == 1


def test_amount_only_when_the_cell_states_one_clearly():
    assert convert("40,052.01元", "amount") == "40052.01"
    assert convert("40,052.01兀", "amount") == "40052.01"  # 元 misread: still a number
    assert convert("无", "amount") == "0.00"
    assert convert("约5,000元", "amount") == "约5,000元"
    assert convert("子女每月给付赡养费约600元", "amount") == "子女每月给付赡养费约600元"


def test_two_row_header_template_reads_a_one_row_header():
    header = [
        "核对报告编号",
        "申请复核人姓名",
        "申请复核人身份证号",
        "复核项目",
        "户主姓名",
        "户主身份证号",
    ]
    row = ["第42100320241200602aaf1号", "韩玲", "421003194806107568", "存款信息", "柯新德",
           "420111194805038673"]  # fmt: skip
    cells = [_cell(0, c, t) for c, t in enumerate(header)] + [
        _cell(1, c, t) for c, t in enumerate(row)
    ]
    form = extract_document([_page(cells, ["核对结果复核申请书"])])
    assert form["fields"]["rows"] == [
        {
            "head_name": "柯新德",
            "head_id": "420111194805038673",
            "name": "韩玲",
            "id_number": "421003194806107568",
            "item": "存款信息",
            "report_number": "第42100320241200602aaf1号",
        }
    ]
