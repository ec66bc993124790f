"""Scans of the standard's forms, filled with synthetic households, skewed and blurred like a
scanner's output, go through `manage.py ingest --sync --json`: what carries a readable ID or
number lands in the right household and category without review; the rest waits for review.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from ingest.models import Document
from tests.ingest.conftest import register_synthetic
from tests.synthetic import make_households, render_form
from tests.synthetic.degrade import degrade
from tests.synthetic.scans import write_tiff

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXPECTED = {
    "authorization": ("process", "核对授权书"),
    "commission": ("process", "核对委托书"),
    "review_application": ("process", "复核申请表"),
    "report": ("report", "核对报告"),
    "home_visit": ("process", "入户核查表"),
}


def test_scanned_forms_file_themselves_or_wait_for_review(hubei, tmp_path):
    forms = [*EXPECTED, "plain"]
    synthetic = make_households(len(forms), seed=7)
    households = {}
    for form, person in zip(forms, synthetic, strict=True):
        households[form] = (register_synthetic(person, hubei), person)
        rendered = render_form(form, person)
        pages = [degrade(img, "scan", seed=n) for n, img in enumerate(rendered.images)]
        write_tiff(pages, tmp_path / f"{form}.tif")

    out = io.StringIO()
    call_command("ingest", str(tmp_path), "--sync", "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    reports = {Path(line["file"]).name: line for line in lines}
    assert len(reports) == len(forms)

    filed = []
    for form in forms:
        report = reports[f"{form}.tif"]
        household, person = households[form]
        (item_json,) = report["items"]
        item = Document.objects.get(original_name=f"{form}.tif").item
        text = "".join(item.pages.values_list("text", flat=True))
        numbers = [m.id_number for m in person.everyone]
        numbers += [person.report_number, person.authorization_number]
        readable = any(number in text for number in numbers)
        if form == "plain":
            assert report["status"] == "review", "a page without a known title needs a person"
            continue
        if readable:
            assert report["status"] == "filed", (form, report, item.status_detail)
            assert item_json["household"] == household.head_id_number
            assert (item_json["category"], item_json["subtype"]) == EXPECTED[form]
            if form == "home_visit":  # prints no date: its case's, never the day of ingest
                assert item.formation_date == person.authorization_date
                assert item.fields["provenance"]["formation_date"] == "case"
            filed.append(form)
        else:
            assert report["status"] == "review", (form, report)
    print("filed without review:", filed)
    assert {"authorization", "report"} <= set(filed), filed
