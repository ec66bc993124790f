"""Generated pairs through real OCR: identical pairs raise nothing; one changed digit of a
member's ID, one changed amount and one changed name each raise exactly that field, on the
page where the paper prints it."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from consistency.check import run_check
from consistency.models import Discrepancy
from tests.consistency import pairs

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _content(result, item):
    return [
        d
        for d in result.discrepancies
        if d.kind == Discrepancy.Kind.CONTENT and d.item_id == item.pk
    ]


def _page_of(paper, value: str) -> int:
    """Where the paper really prints ``value``: the page whose own OCR text has it."""
    for page in paper.pages.order_by("number"):
        if value in "".join(page.text.split()):
            return page.number
    return 1


def test_identical_pairs_raise_nothing(pair):
    made = [pair(hh, seed=n) for n, hh in enumerate(pairs.households(3, seed=11))]
    result = run_check()
    assert len(result.pairs) == 3
    assert {(p.pair.electronic.pk, p.pair.paper.pk) for p in result.pairs} == {
        (e.pk, p.pk) for e, p, _, _ in made
    }
    # The small 档号 in the 归档章 does not always survive OCR; the report number then ties.
    assert {p.pair.basis for p in result.pairs} <= {"归档章", "报告编号"}
    assert [d for d in result.discrepancies if d.kind == Discrepancy.Kind.CONTENT] == []


@pytest.mark.parametrize(
    "alter,field",
    [
        (pairs.change_member_id, "id_number"),
        (pairs.change_amount, "amount"),
        (pairs.change_name, "name"),
    ],
)
def test_one_change_raises_that_field_on_its_page(pair, alter, field):
    hh = pairs.households(4, seed=23)[3]
    electronic, paper, paper_value, electronic_value = pair(hh, alter)
    result = run_check()
    found = _content(result, electronic)
    assert found, "the change was not caught"
    assert {d.field for d in found} == {field}
    for d in found:
        assert d.paper_item_id == paper.pk
        assert d.electronic == electronic_value
        assert d.paper == paper_value
        assert d.page == _page_of(paper, paper_value)
        assert d.snippet and bytes(d.snippet)[:8] == b"\x89PNG\r\n\x1a\n"
        assert 0 < d.confidence <= 1


def test_command_reports_contract_shape(pair, capsys):
    hh = pairs.households(2, seed=5)[1]
    electronic, paper, paper_value, electronic_value = pair(hh, pairs.change_member_id)
    with pytest.raises(CommandError) as exit_info:
        call_command("consistency_check", "--household", hh.head_id, "--json")
    assert exit_info.value.returncode == 1
    out = json.loads(capsys.readouterr().out)
    rows = [r for r in out["discrepancies"] if r["kind"] == "content"]
    assert rows == [
        {
            "household": hh.head_id,
            "archive_number": electronic.archive_number,
            "kind": "content",
            "field": "id_number",
            "paper": paper_value,
            "electronic": electronic_value,
            "page": 1,
        }
    ]


def test_item_with_scan_and_original_pairs_with_itself(hubei):
    hh = pairs.households(3, seed=31)[2]
    household = pairs.file_household(hh, hubei)
    electronic, _ = pairs.file_electronic(hh, household)
    altered, paper_value, electronic_value = pairs.change_amount(hh)
    pairs.attach_scan(electronic, altered)
    result = run_check()
    assert [(p.pair.electronic.pk, p.pair.paper.pk, p.pair.basis) for p in result.pairs] == [
        (electronic.pk, electronic.pk, "同件纸电")
    ]
    found = _content(result, electronic)
    assert [(d.field, d.paper, d.electronic) for d in found] == [
        ("amount", paper_value, electronic_value)
    ]
    # Not reported as a print copy never scanned back: the scan is in the item.
    assert not [d for d in result.discrepancies if d.kind == Discrepancy.Kind.NOT_SCANNED_BACK]


def test_printed_but_never_scanned_back(hubei):
    hh = pairs.households(1, seed=41)[0]
    electronic, _ = pairs.file_electronic(hh, pairs.file_household(hh, hubei))
    result = run_check()
    assert [(d.kind, d.item_id) for d in result.discrepancies] == [
        (Discrepancy.Kind.NOT_SCANNED_BACK, electronic.pk)
    ]
