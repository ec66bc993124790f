"""Templates are data: an agency's own form is a JSON file."""

from __future__ import annotations

import json

from django.test import override_settings

from ingest.formocr.extract import convert, extract_document
from ingest.formocr.templates import fuzzy_in, load_templates


def _page(cells, lines):
    return {
        "size": [2480, 3508],
        "dpi": 300,
        "tables": [[100, 300, 2000, 800]],
        "cells": [
            {
                "table": 0,
                "row": r,
                "col": c,
                "rowspan": 1,
                "colspan": 1,
                "box": [100 + 600 * c, 300 + 100 * r, 700 + 600 * c, 400 + 100 * r],
                "text": t,
            }
            for r, c, t in cells
        ],
        "lines": [
            {"text": t, "box": [100, 100 + 60 * n, 900, 150 + 60 * n], "cell": None}
            for n, t in enumerate(lines)
        ],
    }


def test_agency_template_from_settings_dir(tmp_path):
    (tmp_path / "handover.json").write_text(
        json.dumps(
            {
                "name": "handover",
                "title": "档案交接单",
                "patterns": {"date": "(?P<v>\\d{4}年\\d{1,2}月\\d{1,2}日)"},
                "types": {"date": "date"},
                "tables": [
                    {
                        "name": "items",
                        "find": [["档号"], ["页数"]],
                        "columns": {"number": [["档号"]], "pages": [["页数"]]},
                        "types": {"pages": "int"},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    page = _page(
        [(0, 0, "档 号"), (0, 1, "页数"), (1, 0, "Z109-WS·2024-D10-BGS-0001"), (1, 1, "1 2")],
        ["档案交接单", "2024年3月5日"],
    )
    with override_settings(HEDANG_FORM_TEMPLATES_DIRS=[str(tmp_path)]):
        assert "handover" in {t["name"] for t in load_templates()}
        form = extract_document([page])
    assert form["template"] == "handover"
    assert form["fields"]["items"] == [{"number": "Z109-WS·2024-D10-BGS-0001", "pages": 12}]
    assert form["fields"]["date"] == "2024-03-05"


def test_values_and_fuzzy_labels():
    assert convert("4201 0519491231 002x", "id") == "42010519491231002X"
    assert convert("15,851.34", "amount") == "15851.34"
    assert convert("无", "amount") == "0.00"
    assert convert("第42112620240100570aef1 号", "report_number") == "第42112620240100570aef1号"
    assert fuzzy_in("入户核查表", "居民家庭经济状况入户核查表")
    assert fuzzy_in("家庭收入情况", "家庭收人情况")  # one misread character
    assert not fuzzy_in("家庭收入情况", "家庭支出情况况")
