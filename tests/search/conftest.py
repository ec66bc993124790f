"""A small archive for the search query suite: names sharing characters, IDs, numbers, OCR
text with spaces, full-width forms, three counties in two cities."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest


def id_with_x(region: str, birth: str = "19900101") -> str:
    """A valid resident ID of that region ending in the check character X."""
    from archive.identifiers import resident_id_check_char

    for seq in range(1, 1000):
        body = f"{region}{birth}{seq:03d}"
        if resident_id_check_char(body) == "X":
            return body + "X"
    raise AssertionError("no X check character found")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are made per test; the production hasher would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Archive:
    households: dict = field(default_factory=dict)  # name → Household
    items: dict = field(default_factory=dict)  # key → Item
    users: dict = field(default_factory=dict)  # key → User

    def head(self, household_id_number: str) -> str:
        for name, h in self.households.items():
            if h.head_id_number == household_id_number:
                return name
        raise KeyError(household_id_number)


@pytest.fixture
def add_item(make_item):
    from archive.filing import file_item
    from archive.models import Page

    def add(household, subtype="RHB", pages=(), case=None, file=True, date=dt.date(2024, 3, 6)):
        item = make_item(household, subtype, formation_date=date, file=False)
        if case is not None:
            item.case = case
            item.save()
        for n, text in enumerate(pages, start=1):
            Page.objects.create(item=item, number=n, text=text)
        return file_item(item) if file else item

    return add


@pytest.fixture
def archive(hubei, make_household, make_user, add_item) -> Archive:
    from archive.filing import file_item
    from archive.models import Case, Household, Item, Member

    a = Archive()
    h = a.households
    h["张伟"] = make_household("420102", "张伟")
    Member.objects.create(household=h["张伟"], name="李娜", relation="配偶")
    h["张伟华"] = make_household("420102", "张伟华")
    h["王伟"] = make_household("420105", "王伟")
    h["黄石张伟"] = make_household("420202", "张伟")
    h["欧阳娜娜"] = make_household("420102", "欧阳娜娜")
    h["刘洋"] = Household.objects.create(
        agency=hubei["420102"], head_id_number=id_with_x("420102"), head_name="刘洋"
    )
    Member.objects.create(
        household=h["刘洋"], name="刘洋", id_number=h["刘洋"].head_id_number, relation="本人"
    )
    case = Case.objects.create(
        household=h["刘洋"],
        agency=hubei["420102"],
        business_type="aa",
        report_number="第42010220240300017aaf1号",
        authorization_number="居经授第420102202400000123号",
    )
    i = a.items
    i["张伟-入户"] = add_item(
        h["张伟"],
        "RHB",
        ["入 户 核 查 表\n户 主 张 伟 ， 家庭月收入 3,215.40 元。<b>注意</b> 房屋 一 套"],
    )
    i["张伟-收入"] = add_item(
        h["张伟"], "SRZ", ["可支配收入证明  工资 收入 2,000 元"], date=dt.date(2023, 5, 1)
    )
    i["张伟华-收入"] = add_item(
        h["张伟华"],
        "SRZ",
        ["可支配收入证明 张伟华 张伟华 张伟华 月收入 13,215.40 元 车辆 鄂A12345"],
    )
    i["王伟-财产"] = add_item(h["王伟"], "CCZ", ["财产证明 存款 ＡＢＣ１２３ 账户 余额 ５００ 元"])
    i["黄石张伟-入户"] = add_item(h["黄石张伟"], "RHB", ["入户核查表 户主 张伟 黄石港区"])
    i["欧阳娜娜-入户"] = add_item(h["欧阳娜娜"], "RHB", ["入户核查表 户主 欧阳娜娜 住房 困难"])
    i["刘洋-报告"] = add_item(
        h["刘洋"],
        "HDB",
        ["核对报告\n报告编号：第42010220240300017aaf1号\n经核对，该家庭符合最低生活保障条件。"],
        case=case,
    )
    i["刘洋-授权"] = add_item(
        h["刘洋"], "SQS", ["核对授权书 居经授第420102202400000123号"], case=case
    )
    i["刘洋-其他"] = add_item(h["刘洋"], "QTZ", ["其他证明 无"])
    # A 委托书 with its 花名册: filed under 赵敏's household, listing 钱进's too (ingest links
    # such an item to every listed household, ItemHousehold); 孙丽红 is 钱进's wife.
    h["赵敏"] = make_household("420102", "赵敏")
    h["钱进"] = make_household("420102", "钱进")
    Member.objects.create(household=h["钱进"], name="孙丽红", relation="配偶")
    roster = add_item(
        h["赵敏"],
        "WTS",
        [
            "核对委托书\n花名册\n"
            f"1 赵 敏 {h['赵敏'].head_id_number} 城镇低保\n"
            f"2 钱 进 {h['钱进'].head_id_number} 农村特困 门牌九号"
        ],
        file=False,
    )
    from ingest.models import ItemHousehold

    for household in (h["赵敏"], h["钱进"]):
        ItemHousehold.objects.create(item=roster, household=household)
    i["花名册"] = file_item(roster)
    i["待确认"] = add_item(h["张伟"], "JBZ", ["秘密词 张伟 待确认"], file=False)
    destroyed = add_item(h["王伟"], "JBZ", ["已销毁的件 销毁词"])
    destroyed.status = Item.Status.DESTROYED
    destroyed.save()
    i["已销毁"] = destroyed
    u = a.users
    u["江岸"] = make_user("420102", username="jiangan")
    u["汉阳"] = make_user("420105", username="hanyang")
    u["武汉"] = make_user("420100", username="wuhan")
    u["湖北"] = make_user("420000", username="hubei")
    u["黄石港"] = make_user("420202", username="huangshigang")
    return a
