"""Report rows (Appendix E sections) and home-visit notes derived from a household."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from . import pools

if TYPE_CHECKING:  # pragma: no cover
    from .households import SyntheticHousehold

# The report's sections in order (Appendix E 三..六).
SECTIONS = ("家庭基本情况", "家庭收入情况", "家庭财产情况", "家庭支出情况")


@dataclass(frozen=True)
class Finding:
    """One (部门, 项目, 结果描述) row of a verification report section."""

    section: str  # one of SECTIONS
    department: str
    item: str
    result: str


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def make_findings(hh: SyntheticHousehold, rng: random.Random) -> list[Finding]:
    head = hh.head
    ms = hh.members
    rows: list[tuple[str, str, str, str]] = []

    def add(section: int, dept: str, item: str, result: str) -> None:
        rows.append((SECTIONS[section], dept, item, result))

    names = "、".join(m.name for m in ms)
    add(0, "公安部门", "户籍信息", f"户籍登记{len(ms)}人（{names}），与申报信息一致")
    add(0, "卫健委", "死亡信息", "未查询到家庭成员死亡信息")
    add(0, "民政", "殡葬信息", "未查询到殡葬信息")
    spouse = next((m for m in ms if m.relation == "配偶"), None)
    if spouse:
        marriage = f"{head.name}与{spouse.name}登记结婚"
    elif head.marital_status == "离异":
        marriage = f"{head.name}于{hh.reference_date.year - rng.randint(2, 12)}年登记离婚"
    else:
        marriage = "未查询到婚姻登记信息"
    add(0, "民政", "婚姻信息", marriage)
    disabled = [m for m in ms if m.disability != "无"]
    add(
        0,
        "残联",
        "残疾人信息",
        "；".join(f"{m.name}持有残疾人证，{m.disability}" for m in disabled)
        or "未查询到残疾人信息",
    )
    students = [m for m in ms if m.student]
    add(
        0,
        "教育",
        "困难学生信息",
        "、".join(m.name for m in students) + "为在校学生" if students else "未查询到相关信息",
    )

    shop = hh.assets["开办企业"]
    add(
        1,
        "市场监管",
        "工商登记信息",
        f"{head.name}名下{shop}1户" if shop != "无" else "未查询到工商登记信息",
    )
    add(1, "市场监管", "投资人信息", "未查询到投资人信息")
    workers = [m for m in ms if 18 <= m.age < 60 and m.illness == "无"]
    if workers and hh.income["工资性收入"] > 20_000:
        monthly = (hh.income["工资性收入"] * Decimal("0.05") / 12).quantize(Decimal("0.01"))
        fund = f"{workers[0].name}月缴存公积金{_amount(monthly)}元"
    else:
        fund = "未查询到公积金缴存信息"
    add(1, "公积金信息", "公积金缴纳信息", fund)
    insured = [m.name for m in ms if m.age >= 16]
    add(1, "人社", "参保人员信息", "、".join(insured) + "参加城乡居民基本养老保险")
    retired = [m for m in ms if m.age >= 60]
    if retired:
        monthly = (hh.income["转移性收入"] / 12 / len(retired)).quantize(Decimal("0.01"))
        pension = f"{retired[0].name}月领取养老金约{_amount(monthly)}元"
    else:
        pension = "未查询到养老退休待遇信息"
    add(1, "人社", "养老退休待遇人员信息", pension)

    vehicle = hh.assets["车辆及农机具"]
    if vehicle.startswith(("小型", "二轮")):
        plate = f"鄂{rng.choice(pools.PLATE_LETTERS)}{rng.randrange(10**5):05d}"
        car = f"{head.name}名下{vehicle}（{plate}）"
    else:
        car = "未查询到机动车登记信息"
    add(2, "公安部门", "车辆信息", car)
    if hh.assets["房产"].startswith("住房"):
        add(2, "住建", "房产备案信息", f"{head.name}名下住房1套，建筑面积{hh.house_area}平方米")
        add(2, "自然资源", "不动产证信息", f"不动产权证书1本，建筑面积{hh.house_area}平方米")
    else:
        add(2, "住建", "房产备案信息", "未查询到房产备案信息")
        add(2, "自然资源", "不动产证信息", "未查询到不动产登记信息")
    add(2, "银行", "存款信息", f"家庭成员存款余额合计{_amount(hh.deposits)}元")
    add(2, "证券", "证券信息", "未查询到证券账户信息")

    utilities = (hh.expenses["其他支出"] * Decimal("0.6")).quantize(Decimal("0.01"))
    add(3, "水电部门", "水电缴费信息", f"近12个月水电费合计{_amount(utilities)}元")
    sick = [m for m in ms if m.illness != "无"]
    if sick:
        cost = (hh.expenses["医疗支出"] * Decimal("0.7")).quantize(Decimal("0.01"))
        medical = f"{sick[0].name}住院医疗费用个人负担{_amount(cost)}元"
    else:
        medical = "未查询到重病支出信息"
    add(3, "医保", "重病支出信息", medical)
    return [Finding(*r) for r in rows]


def neighbour_note(hh: SyntheticHousehold, rng: random.Random, neighbour_name: str) -> str:
    head = hh.head
    if any(m.illness != "无" for m in hh.members):
        situation = "家中有重病患者，医疗开支较大"
    elif head.age >= 60:
        situation = f"户主{head.name}年事已高，主要依靠养老金和子女赡养生活"
    elif len(hh.members) > 1 and hh.members[-1].student:
        situation = "子女在校读书，家庭收入主要依靠务工"
    else:
        situation = f"户主{head.name}收入不稳定，家庭生活困难"
    template = rng.choice(pools.NEIGHBOUR_NOTES)
    rural = hh.address.community.endswith("村")
    return template.format(
        neighbour=rng.choice(pools.RURAL_NEIGHBOURS if rural else pools.NEIGHBOURS),
        nname=neighbour_name,
        situation=situation,
    )
