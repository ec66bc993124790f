"""A few filed, indexed items in two counties, and users of several roles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def add_item(make_item):
    """add_item(household, "RHB", ["page text", …]) → a filed (hence indexed) item."""
    from archive.filing import file_item
    from archive.models import Page

    def add(household, subtype="RHB", pages=(), case=None, date=dt.date(2024, 3, 6)):
        item = make_item(household, subtype, formation_date=date, file=False)
        if case is not None:
            item.case = case
            item.save()
        for n, text in enumerate(pages, start=1):
            Page.objects.create(item=item, number=n, text=text)
        return file_item(item)

    return add


@dataclass
class Data:
    households: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


@pytest.fixture
def data(hubei, make_household, make_user, add_item) -> Data:
    from archive.models import Case

    d = Data()
    h, i, u = d.households, d.items, d.users
    h["张伟"] = make_household("420102", "张伟")
    h["李明"] = make_household("420102", "李明")
    h["汉阳张伟"] = make_household("420105", "张伟", birth="19700101")
    case = Case.objects.create(household=h["张伟"], agency=hubei["420102"], business_type="aa")
    i["张伟-入户"] = add_item(
        h["张伟"],
        "RHB",
        ["入户核查表\n户主 张伟，家庭月收入 3,215.40 元。<b>住房</b> 一套"],
        case=case,
    )
    i["张伟-收入"] = add_item(
        h["张伟"], "SRZ", ["可支配收入证明 工资收入 2,000 元"], date=dt.date(2023, 5, 1)
    )
    i["李明-入户"] = add_item(h["李明"], "RHB", ["入户核查表 户主 李明 邻居 张伟 作证"])
    i["汉阳张伟-入户"] = add_item(h["汉阳张伟"], "RHB", ["入户核查表 户主 张伟 汉阳区"])
    u["江岸"] = make_user("420102", username="jiangan")
    u["江岸监督"] = make_user("420102", "监督检查", username="jiangan-inspector")
    u["汉阳"] = make_user("420105", username="hanyang")
    u["湖北"] = make_user("420000", username="hubei")
    u["无角色"] = make_user("420102", None, username="norole")
    return d


@pytest.fixture
def roster(data, make_household, make_item):
    """A 委托书 with its 花名册, filed under 李明's household and listing 钱进's (whose wife is
    孙丽红) too, linked to both as ingest links a roster (ItemHousehold)."""
    from archive.filing import file_item
    from archive.models import Member, Page
    from ingest.models import ItemHousehold

    h = data.households
    h["钱进"] = make_household("420102", "钱进", birth="19660606")
    Member.objects.create(household=h["钱进"], name="孙丽红", relation="配偶")
    item = make_item(h["李明"], "WTS", file=False)
    Page.objects.create(
        item=item, number=1, text=f"花名册\n1 李明\n2 钱进 {h['钱进'].head_id_number}"
    )
    for household in (h["李明"], h["钱进"]):
        ItemHousehold.objects.create(item=item, household=household)
    data.items["花名册"] = file_item(item)
    return data
