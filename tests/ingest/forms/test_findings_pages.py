"""A 核对报告's findings section running onto the next page: its rows there, printed without
the header, belong to the section; a new section there (its own caption and header) does not
take them twice."""

from __future__ import annotations

import pytest

from ingest.formocr.extract import extract_document
from ingest.formocr.templates import norm
from tests.ingest.forms.conftest import needs_tesseract, read_form

HEADER = ["部门", "项目", "结果描述"]


def _page(tables: list[tuple[str, list[list[str]]]], title: str = "") -> dict:
    """A page structure as ``recognise`` stores it: each table with its caption line above."""
    cells, lines, boxes = [], [], []
    if title:
        lines.append({"text": title, "box": [100, 20, 900, 60], "cell": None})
    top = 100
    for index, (caption, rows) in enumerate(tables):
        if caption:
            lines.append({"text": caption, "box": [100, top, 600, top + 40], "cell": None})
            top += 60
        boxes.append([100, top, 1000, top + 50 * len(rows)])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                box = [100 + 300 * c, top + 50 * r, 400 + 300 * c, top + 50 * (r + 1)]
                cells.append(
                    {"table": index, "row": r, "col": c, "rowspan": 1, "colspan": 1}
                    | {"box": box, "text": text}
                )
        top += 50 * len(rows) + 100
    return {"size": [1200, 1700], "dpi": 300, "tables": boxes, "cells": cells, "lines": lines}


def _findings(form: dict) -> list[tuple[str, str]]:
    return [(f["section"], f["department"]) for f in form["fields"]["findings"]]


def test_rows_continued_without_header_join_their_section_once():
    first = _page(
        [
            (
                "五、家庭财产情况",
                [HEADER, ["公安部门", "车辆信息", "无"], ["银行", "存款信息", "无"]],
            )
        ],
        title="居民家庭经济状况核对报告",
    )
    second = _page(
        [
            ("", [["证券", "证券信息", "未查询到证券账户信息"]]),
            ("六、家庭支出情况", [HEADER, ["医保", "重病支出信息", "无"]]),
        ]
    )
    assert _findings(extract_document([first, second])) == [
        ("家庭财产情况", "公安部门"),
        ("家庭财产情况", "银行"),
        ("家庭财产情况", "证券"),
        ("家庭支出情况", "医保"),
    ]


def test_a_new_section_at_the_top_of_the_next_page_is_not_a_continuation():
    first = _page(
        [("五、家庭财产情况", [HEADER, ["银行", "存款信息", "无"]])],
        title="居民家庭经济状况核对报告",
    )
    second = _page([("六、家庭支出情况", [HEADER, ["医保", "重病支出信息", "无"]])])
    assert _findings(extract_document([first, second])) == [
        ("家庭财产情况", "银行"),
        ("家庭支出情况", "医保"),
    ]


@pytest.mark.slow
@needs_tesseract
def test_every_finding_of_a_two_page_report_is_read(households):
    rendered, pages, form = read_form("report", households, "scan")
    assert len(pages) == 2

    def rows(findings):
        # As the OCR benchmark compares: NFKC (a full-width bracket reads as a half-width one).
        return [tuple(norm(f[k]) for k in ("department", "item", "result")) for f in findings]

    assert rows(form["fields"]["findings"]) == rows(rendered.fields["findings"])
