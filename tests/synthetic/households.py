"""Seeded synthetic households (家庭) for tests and benchmarks.

``make_households(n, seed)`` is deterministic: the same call gives the same households,
names, ID numbers, amounts and dates on every machine (only ``random.Random`` is used).
Households are generated in order from one shared state, so ``make_households(m, seed)[:n]
== make_households(n, seed)`` for ``m > n``. The first three heads are the
:data:`SEARCH_NAMES` 张伟, 王伟 and 张伟华; no other generated name contains any of them.
Amounts are ``Decimal`` yuan with two places; dates are fixed by the seed (2023–2025).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from archive.identifiers import BUSINESS_CODES, format_authorization_number, format_report_number

from . import pools
from .findings import Finding, make_findings, neighbour_note
from .people import Member, PeopleGen, age_on, health, phone
from .pools import SEARCH_NAMES

__all__ = [
    "INCOME_ITEMS",
    "ASSET_ITEMS",
    "EXPENSE_ITEMS",
    "SEARCH_NAMES",
    "Address",
    "Finding",
    "Member",
    "SyntheticHousehold",
    "age_on",
    "fmt_amount",
    "make_households",
]

# The G form's item columns (short keys; the form prints the long headings).
INCOME_ITEMS = ("工资性收入", "家庭经营净收入", "财产性收入", "转移性收入", "其他收入")
ASSET_ITEMS = ("金融资产", "车辆及农机具", "开办企业", "房产", "其他财产")
EXPENSE_ITEMS = ("医疗支出", "教育支出", "婴儿营养支出", "住房支出", "其他支出")


def fmt_amount(value: Decimal) -> str:
    """``Decimal("3215.4")`` -> ``"3,215.40"``."""
    return f"{value:,.2f}"


@dataclass(frozen=True)
class Address:
    city: str  # 武汉市
    county: str  # 江岸区
    town: str  # 大智街道 / 川店镇
    community: str  # 三阳路社区 / 川店村
    detail: str  # 解放大道128号3栋2单元502室 / 5组27号

    @property
    def full(self) -> str:
        return f"湖北省{self.city}{self.county}{self.town}{self.community}{self.detail}"


@dataclass(frozen=True)
class SyntheticHousehold:
    index: int
    region_code: str
    address: Address
    members: tuple[Member, ...]  # co-resident, head first
    obligors: tuple[Member, ...]  # non-co-resident legal supporters
    business_type: str  # aa..ah
    report_number: str
    authorization_number: str
    reference_date: date  # application date; ages are computed on it
    authorization_date: date
    commission_date: date
    visit_date: date
    report_date: date
    review_date: date
    agency: str  # 核对机构
    parent_agency: str  # the city-level agency (review applications go there)
    entrusting_unit: str  # 委托单位
    approval_authority: str  # 审批机构 named in the authorization
    operator: str  # 经办人
    operator_phone: str
    visitors: tuple[str, str]  # 调查工作人员
    community_worker: str
    unit_contact: str  # the entrusting unit's contact person (委托书 联系人)
    unit_phone: str
    # G-form cells. Amounts are yearly yuan; property cells are printed text.
    income: dict[str, Decimal] = field(hash=False)
    obligor_income: dict[str, Decimal] = field(hash=False)
    assets: dict[str, str] = field(hash=False)
    obligor_assets: dict[str, str] = field(hash=False)
    expenses: dict[str, Decimal] = field(hash=False)
    obligor_expenses: dict[str, Decimal] = field(hash=False)
    deposits: Decimal = Decimal("0")
    house_area: Decimal = Decimal("0")
    neighbour_note: str = ""
    findings: tuple[Finding, ...] = ()  # report (Appendix E) rows
    review_items: tuple[tuple[str, str], ...] = ()  # (member name, 复核项目)

    @property
    def head(self) -> Member:
        return self.members[0]

    @property
    def head_name(self) -> str:
        return self.members[0].name

    @property
    def head_id(self) -> str:
        return self.members[0].id_number

    @property
    def everyone(self) -> tuple[Member, ...]:
        return self.members + self.obligors

    @property
    def business_name(self) -> str:
        return BUSINESS_CODES[self.business_type]

    @property
    def total_income(self) -> Decimal:
        return sum(self.income.values(), Decimal("0"))

    @property
    def per_capita_income(self) -> Decimal:
        return (self.total_income / len(self.members)).quantize(Decimal("0.01"))


# --------------------------------------------------------------------------------------------


_CENT = Decimal("0.01")
_CHILD = {"男": "子", "女": "女"}


def _money(rng: random.Random, lo: int, hi: int) -> Decimal:
    return (Decimal(rng.randint(lo * 100, hi * 100)) / 100).quantize(_CENT)


def _cents(values: dict[str, Decimal]) -> dict[str, Decimal]:
    return {k: v.quantize(_CENT) for k, v in values.items()}


def _money_items(rng: random.Random, members, obligors, rural: bool) -> dict[str, Any]:
    """The G-form amounts and property cells (yearly yuan)."""
    zero = Decimal("0.00")
    adults_working = [m for m in members if 18 <= m.age < 60 and m.illness == "无"]
    wages = sum((_money(rng, 9_000, 32_000) for _ in adults_working), zero)
    pensions = sum((_money(rng, 1_800, 28_000) for m in members if m.age >= 60), zero)
    support = sum((_money(rng, 1_200, 6_000) for _ in obligors), zero)
    income = {
        "工资性收入": wages,
        "家庭经营净收入": _money(rng, 1_500, 12_000) if rural else zero,
        "财产性收入": _money(rng, 5, 600) if rng.random() < 0.5 else zero,
        "转移性收入": pensions + support + (_money(rng, 300, 1_500) if rural else zero),
        "其他收入": zero,
    }
    deposits = _money(rng, 200, 40_000)
    area = (Decimal(rng.randint(3_800, 12_000)) / 100).quantize(_CENT)
    vehicle = rng.choice(pools.VEHICLES) if rng.random() < 0.25 else "无"
    if rural and vehicle == "无" and rng.random() < 0.3:
        vehicle = rng.choice(pools.FARM_MACHINES)
    shop = rng.choice(pools.BUSINESSES) if rng.random() < 0.12 else ""
    assets = {
        "金融资产": f"存款{fmt_amount(deposits)}元",
        "车辆及农机具": vehicle,
        "开办企业": f"个体工商户（{shop}）" if shop else "无",
        "房产": f"住房1套，{area}平方米" if rng.random() < 0.8 else "租住",
        "其他财产": "无",
    }
    sick = any(m.illness != "无" for m in members)
    expenses = {
        "医疗支出": _money(rng, 3_000, 60_000) if sick else _money(rng, 0, 2_000),
        "教育支出": sum((_money(rng, 800, 12_000) for m in members if m.student), zero),
        "婴儿营养支出": _money(rng, 1_500, 4_000) if any(m.age < 3 for m in members) else zero,
        "住房支出": _money(rng, 3_600, 15_000) if assets["房产"] == "租住" else zero,
        "其他支出": _money(rng, 1_200, 3_600),
    }
    o_income, o_assets, o_exp = {}, {}, {}
    if obligors:
        o_wages = sum((_money(rng, 15_000, 60_000) for _ in obligors), zero)
        o_income = {k: zero for k in INCOME_ITEMS} | {"工资性收入": o_wages}
        o_assets = {k: "无" for k in ASSET_ITEMS} | {
            "金融资产": f"存款{fmt_amount(_money(rng, 500, 30_000))}元",
            "房产": f"住房{len(obligors)}套",
        }
        o_exp = {k: zero for k in EXPENSE_ITEMS} | {"其他支出": support}
    return {
        "income": _cents(income),
        "obligor_income": _cents(o_income),
        "assets": assets,
        "obligor_assets": o_assets,
        "expenses": _cents(expenses),
        "obligor_expenses": _cents(o_exp),
        "deposits": deposits,
        "house_area": area,
    }


def _household(gen: PeopleGen, index: int) -> SyntheticHousehold:
    rng = random.Random(f"hedang-synthetic:{gen.seed}:{index}")
    region = rng.choice(sorted(pools.REGIONS))
    city, county, towns, roads = pools.REGIONS[region]
    town, communities = rng.choice(towns)
    community = rng.choice(communities)
    rural = community.endswith("村")
    if rural:
        detail = f"{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
    else:
        detail = (
            f"{rng.choice(roads)}{rng.randint(1, 400)}号{rng.randint(1, 12)}栋"
            f"{rng.randint(1, 4)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
        )
    business = rng.choices(list(pools.BUSINESS_WEIGHTS), list(pools.BUSINESS_WEIGHTS.values()))[0]
    ref = date(2023, 1, 3) + timedelta(days=rng.randrange(900))

    # Composition ------------------------------------------------------------------------
    head_sex = "男" if rng.random() < 0.7 else "女"
    planted = SEARCH_NAMES[index] if index < len(SEARCH_NAMES) else None
    if planted:
        head_sex = "男"
        gen.used_names.add(planted)
    surname = planted[0] if planted else rng.choice(pools.SURNAMES)
    kind = rng.choice(("elderly", "elderly", "couple", "family", "family", "single_parent"))
    if business == "ab":
        kind = "elderly"
    if business == "ae":
        kind = rng.choice(("family", "single_parent"))
    head_age = {
        "elderly": rng.randint(62, 88),
        "couple": rng.randint(55, 78),
        "family": rng.randint(32, 52),
        "single_parent": rng.randint(28, 48),
    }[kind]
    sick_index = 0 if business == "ad" else rng.randrange(6) if business in ("aa", "ah") else -1
    marital = "丧偶" if kind == "elderly" else ("离异" if kind == "single_parent" else "已婚")
    if kind == "elderly" and business == "ab":
        marital = rng.choice(("未婚", "丧偶"))

    def person(relation: str, sex: str, age: int, co_resident: bool = True, **kw) -> Member:
        return gen.person(rng, ref, region, relation, sex, age, co_resident, **kw)

    head = person(
        "本人",
        head_sex,
        head_age,
        surname=surname,
        name=planted,
        marital_status=marital,
        **health(rng, head_age, sick_index == 0),
    )
    members = [head]
    if kind in ("couple", "family"):
        s_age = max(22, head_age + rng.randint(-5, 4))
        members.append(
            person(
                "配偶",
                "女" if head_sex == "男" else "男",
                s_age,
                marital_status="已婚",
                **health(rng, s_age, sick_index == 1),
            )
        )
    for k in range(rng.randint(1, 2) if kind in ("family", "single_parent") else 0):
        c_age, c_sex = max(1, head_age - rng.randint(24, 33) - 3 * k), rng.choice("男女")
        dis = {}
        if k == 0 and business in ("aa", "ah") and rng.random() < 0.3:
            kind_, grade = rng.choice(pools.DISABILITY_KINDS), rng.choice(pools.DISABILITY_GRADES)
            dis = {"disability": kind_ + grade}
        members.append(
            person(
                _CHILD[c_sex],
                c_sex,
                c_age,
                surname=surname,
                student=6 <= c_age <= 22,
                **dis,
                **health(rng, c_age, sick_index == 2 and not dis),
            )
        )
    obligors = []
    for _ in range(rng.randint(1, 3) if kind in ("elderly", "couple") and business != "ab" else 0):
        o_sex, o_age = rng.choice("男女"), max(20, head_age - rng.randint(22, 34))
        o_surname = surname if o_sex == "男" or rng.random() < 0.8 else None
        obligors.append(person(_CHILD[o_sex], o_sex, o_age, False, surname=o_surname))
    money = _money_items(rng, members, obligors, rural)

    # Numbers, dates, people ----------------------------------------------------------------
    report_date = ref + timedelta(days=rng.randint(8, 20))
    auth_number = format_authorization_number(region, ref.year, rng.randint(1, 20_000))
    report_number = format_report_number(
        region, report_date.year, report_date.month, rng.randint(1, 900), business, "f", 1
    )
    city_short = city.removesuffix("土家族苗族自治州") + "州" if city.endswith("自治州") else city
    staff = [gen.name(rng, rng.choice("男女")) for _ in range(5)]
    hh = SyntheticHousehold(
        index=index,
        region_code=region,
        address=Address(city, county, town, community, detail),
        members=tuple(members),
        obligors=tuple(obligors),
        business_type=business,
        report_number=report_number,
        authorization_number=auth_number,
        reference_date=ref,
        authorization_date=ref,
        commission_date=ref + timedelta(days=rng.randint(1, 3)),
        visit_date=ref + timedelta(days=rng.randint(2, 7)),
        report_date=report_date,
        review_date=report_date + timedelta(days=rng.randint(5, 30)),
        agency=f"{county}居民家庭经济状况核对中心",
        parent_agency=f"{city_short}居民家庭经济状况核对中心",
        entrusting_unit=f"{county}民政局" if rng.random() < 0.6 else f"{town}办事处",
        approval_authority=f"{county}民政局",
        operator=staff[0],
        operator_phone=phone(rng),
        visitors=(staff[1], staff[2]),
        community_worker=staff[3],
        unit_contact=staff[4],
        unit_phone=phone(rng),
        **money,
    )
    findings = make_findings(hh, rng)
    items = [f.item for f in findings if f.item in ("存款信息", "车辆信息", "房产备案信息")]
    review = [(members[0].name, rng.choice(items or ["存款信息"]))]
    if len(members) > 1 and rng.random() < 0.5:
        review.append((members[1].name, "参保人员信息"))
    note = neighbour_note(hh, rng, gen.name(rng, rng.choice("男女")))
    return replace(hh, findings=tuple(findings), review_items=tuple(review), neighbour_note=note)


def make_households(n: int, seed: int = 0) -> list[SyntheticHousehold]:
    """``n`` synthetic households, deterministic for ``(n, seed)``."""
    gen = PeopleGen(seed)
    gen.used_names.update(SEARCH_NAMES[:n])
    return [_household(gen, i) for i in range(n)]
