"""Fixtures of the loans tests: filed paper items in 江岸区, the desk's staff, API clients."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def paper_items(make_household, make_item):
    """张伟户 (江岸区) with three filed paper items of 3, 5 and 2 pages."""
    from archive.filing import file_item
    from archive.models import Item

    household = make_household("420102", "张伟")
    items = []
    for code, pages in (("SQS", 3), ("RHB", 5), ("HDB", 2)):
        item = make_item(household, code, formation_date=dt.date(2024, 3, 6))
        item.page_count = pages
        item.carrier = Item.Carrier.PAPER
        item.save()
        items.append(file_item(item))
    return items


@pytest.fixture
def staff(make_user):
    """The desk: a caseworker who asks, two archivists (one approves, one hands out)."""
    return {
        "clerk": make_user("420102", "委托受理", username="clerk", real_name="刘受理"),
        "archivist": make_user("420102", "档案管理员", username="archivist", real_name="王档案"),
        "approver": make_user("420102", "档案管理员", username="approver", real_name="陈审批"),
    }


@pytest.fixture
def api():
    """api(user) → an APIClient signed in by session, CSRF enforced like a browser."""

    def make(user):
        client = APIClient(enforce_csrf_checks=False)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


def loan_body(items, day, **kw) -> dict:
    body = {
        "borrower": {"user": "clerk"},
        "purpose": "复核低保申请",
        "kind": "paper",
        "items": [i.archive_number for i in items],
        "date": day.isoformat(),
    }
    body.update(kw)
    return body
