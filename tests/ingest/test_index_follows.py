"""The search index follows ingest's filings through search's signals alone (no explicit calls):
an item filed at once, and a review item once accepted."""

from __future__ import annotations

import datetime as dt

import pytest

from archive.items import create_item
from archive.models import Item, Subtype
from ingest.review import accept
from search.service import UNRESTRICTED, check, search

pytestmark = pytest.mark.django_db


def _item(household, *, file: bool) -> Item:
    subtype = Subtype.objects.get(code="RHB")
    return create_item(
        household=household,
        agency=household.agency,
        category=subtype.category if file else "",
        subtype=subtype if file else None,
        title="待确认材料",
        formation_date=dt.date(2024, 3, 6),
        status=Item.Status.REVIEW,
        pages=["居民家庭 入户核查表 独特词语甲乙"],
        file=file,
    )


def test_an_item_filed_at_once_is_found(make_household):
    _item(make_household("420102", "张伟"), file=True)
    assert search("独特词语甲乙", UNRESTRICTED).total == 1
    assert check().ok


def test_a_review_item_is_found_once_accepted(make_household, make_user):
    household = make_household("420102", "张伟")
    item = _item(household, file=False)
    assert search("独特词语甲乙", UNRESTRICTED).total == 0
    subtype = Subtype.objects.get(code="RHB")
    accept(
        item,
        household=household,
        category=subtype.category,
        subtype=subtype,
        user=make_user("420102"),
    )
    assert search("独特词语甲乙", UNRESTRICTED).total == 1
    assert check().ok
