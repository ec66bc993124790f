"""Fixtures for the staff UI tests: a filed household with pages, logged-in clients."""

from __future__ import annotations

import pytest


@pytest.fixture
def jiangan_household(make_household, make_item):
    """张伟户 in 江岸区 (420102): two process items, one report, a non-resident obligor."""
    from archive.models import Member, Page

    household = make_household("420102", "张伟", address="武汉市江岸区台北路 88 号")
    Member.objects.create(household=household, name="张建国", relation="父母", co_resident=False)
    items = [make_item(household, "SQS"), make_item(household, "RHB"), make_item(household, "HDB")]
    Page.objects.create(item=items[1], number=1, text="入户核查表\n邻里访问情况：情况属实。")
    return household


@pytest.fixture
def hanyang_household(make_household, make_item):
    """刘洋户 in 汉阳区 (420105), outside 江岸区's jurisdiction."""
    household = make_household("420105", "刘洋", birth="19660808")
    make_item(household, "SQS")
    return household


@pytest.fixture
def login(client):
    """login(user) → the test client, logged in as that user."""

    def do(user):
        client.force_login(user)
        return client

    return do
