"""Field extraction on every appendix table form, through degraded scans and a photo."""

from __future__ import annotations

import pytest

from tests.ingest.forms.conftest import needs_tesseract, read_form

pytestmark = [pytest.mark.slow, needs_tesseract]


def _ids(people):
    return [p["id_number"] for p in people]


def test_home_visit_bw_scan(households):
    rendered, _, form = read_form("home_visit", households, "scan_bw")
    truth, got = rendered.fields, form["fields"]
    assert form["template"] == "home_visit"
    assert _ids(got["members"]) == _ids(truth["members"])
    assert _ids(got["obligors"]) == _ids(truth["obligors"])
    assert [m["relation"] for m in got["members"]] == [m["relation"] for m in truth["members"]]
    assert got["total_income"] == f"{truth['total_income']:.2f}"
    assert got["per_capita_income"] == f"{truth['per_capita_income']:.2f}"
    wanted = {k: f"{v:.2f}" for k, v in truth["income"].items()}
    assert got["income"] == wanted
    assert got["phone"] == truth["phone"]


def test_home_visit_document_camera_photo(households):
    rendered, pages, form = read_form("home_visit", households, "camera")
    assert pages[0]["warp"] is not None, "the sheet on the desk was found and flattened"
    got = form["fields"]
    assert _ids(got["members"]) == _ids(rendered.fields["members"])
    assert got["total_income"] == f"{rendered.fields['total_income']:.2f}"


def test_report_scan(households):
    rendered, _, form = read_form("report", households, "scan")
    truth, got = rendered.fields, form["fields"]
    assert form["template"] == "report"
    assert got["number"] == truth["number"]
    assert got["date"] == truth["date"].isoformat()
    assert _ids(got["members"]) == _ids(truth["members"])
    assert _ids(got.get("obligors", [])) == _ids(truth["obligors"])
    rows = [(f["department"], f["item"]) for f in got["findings"]]
    wanted = [(f["department"], f["item"]) for f in truth["findings"]]
    hits = sum(r in rows for r in wanted)
    assert hits >= 0.8 * len(wanted), (rows, wanted)


def test_report_document_camera_photo(households):
    rendered, _, form = read_form("report", households, "camera")
    assert form["fields"]["number"] == rendered.fields["number"]
    assert _ids(form["fields"]["members"]) == _ids(rendered.fields["members"])


def test_commission_roster_lists_every_household(households):
    rendered, _, form = read_form("commission", households, "scan")
    assert form["template"] == "commission"
    roster = form["fields"]["roster"]
    assert [r["head_id"] for r in roster] == [r["head_id"] for r in rendered.fields["roster"]]
    for got, truth in zip(roster, rendered.fields["roster"], strict=True):
        assert _ids(got["members"]) == _ids(truth["members"])


def test_review_application_rows(households):
    rendered, _, form = read_form("review_application", households, "scan_bw")
    rows = form["fields"]["rows"]
    truth = rendered.fields["rows"]
    assert [(r["head_id"], r["id_number"]) for r in rows] == [
        (r["head_id"], r["id_number"]) for r in truth
    ]
    assert [r["report_number"] for r in rows] == [r["report_number"] for r in truth]
