"""Table-heavy forms: verification report (Appendix E) and home-visit form (Appendix G)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .findings import SECTIONS
from .households import (
    ASSET_ITEMS,
    EXPENSE_ITEMS,
    INCOME_ITEMS,
    Member,
    SyntheticHousehold,
    fmt_amount,
)
from .layout import Cell, Flow
from .letters import cn_date

REPORT_TITLE = "居民家庭经济状况核对报告"
HOME_VISIT_TITLE = "居民家庭经济状况入户核查表"
_NUMERALS = "一二三四五六七八九十"
REPORT_NOTE = (
    "注：核对结果是反映核对对象经济状况的重要手段，不是唯一依据。核对报告仅作为民政部门作出行政"
    "决策的参考，不作其他用途。"
)


def _h(texts: list[str]) -> list[Cell]:
    return [Cell(t, header=True) for t in texts]


def _person(m: Member) -> dict[str, Any]:
    return {"name": m.name, "id_number": m.id_number, "relation": m.relation}


def build_report(flow: Flow, hh: SyntheticHousehold) -> tuple[str, dict[str, Any]]:
    flow.title(REPORT_TITLE, after=0)
    flow.paragraph(f"（核对编号：{hh.report_number}）", align="center", after=3)
    flow.pieces([(f"委托单位：{hh.entrusting_unit}", 0), (f"核对机构：{hh.agency}", 88)])
    flow.space(2)
    widths = [14, 38, 15, 14, 38, 15]
    for n, (heading, people) in enumerate(
        (("申请核对家庭成员", hh.members), ("赡扶养义务人", hh.obligors))
    ):
        flow.paragraph(f"{_NUMERALS[n]}、{heading}", indent=0, bold=True)
        rows: list[list[Cell | str]] = [_h(["姓 名", "身份证号", "家庭关系"] * 2)]
        for i in range(0, max(len(people), 1), 2):
            pair = list(people[i : i + 2])
            row: list[Cell | str] = []
            for m in pair:
                row += [m.name, m.id_number, m.relation]
            rows.append(row + [""] * (6 - len(row)))
        flow.table(widths, rows, size=10.5, min_h=8)
    by_section: dict[str, list[tuple[str, str, str]]] = {s: [] for s in SECTIONS}
    for f in hh.findings:
        by_section[f.section].append((f.department, f.item, f.result))
    for n, section in enumerate(SECTIONS, start=2):
        flow.paragraph(f"{_NUMERALS[n]}、{section}", indent=0, bold=True)
        rows = [_h(["部门", "项目", "结果描述"])]
        found = by_section[section]
        i = 0
        while i < len(found):
            span = 1
            while i + span < len(found) and found[i + span][0] == found[i][0]:
                span += 1
            for k in range(span):
                dept, item, result = found[i + k]
                first = [Cell(dept, rowspan=span)] if k == 0 else []
                rows.append(first + [Cell(item), Cell(result, align="left")])
            i += span
        flow.table([16, 31, 73], rows, size=10.5, min_h=8)
    flow.paragraph(REPORT_NOTE, size=10.5)
    flow.paragraph(f"核对报告出具时间：{cn_date(hh.report_date)}", indent=0)
    return REPORT_TITLE, {
        "number": hh.report_number,
        "entrusting_unit": hh.entrusting_unit,
        "agency": hh.agency,
        "members": [_person(m) for m in hh.members],
        "obligors": [_person(m) for m in hh.obligors],
        "findings": [
            {"section": f.section, "department": f.department, "item": f.item, "result": f.result}
            for f in hh.findings
        ],
        "sections": by_section,
        "date": hh.report_date,
        "note": REPORT_NOTE,
    }


# -- Appendix G ------------------------------------------------------------------------------

MEMBER_COLUMNS = (
    "姓名",
    "与户主关系",
    "性别",
    "年龄",
    "身份证号码",
    "联系电话",
    "婚姻状况",
    "健康状况",
    "重大疾病病种（自理、劳动能力）",
    "残疾种类和等级（自理劳动能力）",
)
OBLIGOR_LABEL = "非共同生活法定义务人(赡抚扶）养人"
ASSET_HEADINGS = (
    "家庭银行存款、证券、基金、债权、互联网金融资产等资产总值",
    "机动车辆、船舶、工程机械及大型农机具情况",
    "开办企业、注册公司以及经营规模情况",
    "房产及建筑面积",
    "其他财产情况",
)
INCOME_HEADINGS = (
    "工资性收入",
    "家庭经营净（纯）收入（种植业、养殖业等）",
    "财产性收入",
    "转移性收入（农业补贴、赡、抚养费等）",
    "其他应计入收入情况",
)
EXPENSE_HEADINGS = (
    "医疗支出",
    "教育支出",
    "婴儿营养支出",
    "住房支出",
    "其他支出情况（水、电、气费支出，通讯费支出，赡抚养费支出等）",
)
# Column spans of the five item cells of the property, income and expense rows.
_ITEM_SPANS = (3, 2, 1, 2, 2)


def _money_cell(v: Decimal | None) -> str:
    return "" if v is None else (fmt_amount(v) if v else "无")


def _strip(name: str, *suffixes: str) -> str:
    for s in suffixes:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name.removesuffix(s)
    return name


def build_home_visit(flow: Flow, hh: SyntheticHousehold) -> tuple[str, dict[str, Any]]:
    a = hh.address
    fill = {
        "city": _strip(a.city, "土家族苗族自治州", "市", "州"),
        "county": _strip(a.county, "区", "县", "市"),
        "town": _strip(a.town, "镇", "乡"),
        "community": _strip(a.community, "社区", "村"),
    }
    flow.title(HOME_VISIT_TITLE, size=16, after=1)
    # Filled in the blanks before each printed label, as on a hand-filled form.
    address = (
        f"地址：{fill['city']} 市（州） {fill['county']} 县（市、区） {fill['town']} 镇（乡） "
        f"{fill['community']} 村（社区）"
    )
    flow.pieces(
        [
            (f"户主姓名：{hh.head_name}", 0),
            (f"家庭人口：{len(hh.members)}", 40),
            (f"联系电话：{hh.head.phone}", 72),
            (address, 128),
        ],
        size=10.5,
    )
    flow.space(1)
    n_members = max(4, len(hh.members))
    n_obligors = max(3, len(hh.obligors))
    rows: list[list[Cell | str]] = [
        [Cell("共同生活家庭成员基本信息", rowspan=n_members + 1, header=True)]
        + [Cell(t, header=True, size=8 if len(t) > 6 else None) for t in MEMBER_COLUMNS]
    ]

    def person_row(m: Member | None) -> list[Cell | str]:
        if m is None:
            return [""] * 10
        return [
            m.name,
            m.relation,
            m.sex,
            str(m.age),
            m.id_number,
            m.phone,
            m.marital_status,
            m.health,
            m.illness,
            m.disability,
        ]

    for i in range(n_members):
        rows.append(person_row(hh.members[i] if i < len(hh.members) else None))
    for i in range(n_obligors):
        first = [Cell(OBLIGOR_LABEL, rowspan=n_obligors, header=True)] if i == 0 else []
        rows.append(first + person_row(hh.obligors[i] if i < len(hh.obligors) else None))

    def section(label, headings, values, o_values) -> None:
        rows.append(
            [Cell(label, header=True)]
            + [
                Cell(t, colspan=s, header=True, size=8)
                for t, s in zip(headings, _ITEM_SPANS, strict=True)
            ]
        )
        rows.append(
            ["共同生活成员"]
            + [Cell(v, colspan=s) for v, s in zip(values, _ITEM_SPANS, strict=True)]
        )
        rows.append(
            [OBLIGOR_LABEL]
            + [Cell(v, colspan=s) for v, s in zip(o_values, _ITEM_SPANS, strict=True)]
        )

    o = bool(hh.obligors)
    section(
        "家庭财产情况",
        ASSET_HEADINGS,
        [hh.assets[k] for k in ASSET_ITEMS],
        [hh.obligor_assets[k] if o else "" for k in ASSET_ITEMS],
    )
    section(
        "家庭收入情况",
        INCOME_HEADINGS,
        [_money_cell(hh.income[k]) for k in INCOME_ITEMS],
        [_money_cell(hh.obligor_income[k] if o else None) for k in INCOME_ITEMS],
    )
    section(
        "家庭支出情况",
        EXPENSE_HEADINGS,
        [_money_cell(hh.expenses[k]) for k in EXPENSE_ITEMS],
        [_money_cell(hh.obligor_expenses[k] if o else None) for k in EXPENSE_ITEMS],
    )
    total = f"{fmt_amount(hh.total_income)}元"
    per_capita = f"{fmt_amount(hh.per_capita_income)}元"
    rows.append(
        [
            Cell("家庭总（纯）收入评估", header=True),
            Cell(total, colspan=4),
            Cell("家庭年人均纯收入评估", colspan=2, header=True),
            Cell(per_capita, colspan=4),
        ]
    )
    rows.append(
        [Cell("邻里访问情况", header=True), Cell(hh.neighbour_note, colspan=10, align="left")]
    )
    rows.append(
        [
            Cell("本人保证提供的家庭情况真实，若有不实愿承担法律责任。", colspan=6, align="left"),
            Cell("村（社区）工作人员签字：", colspan=5, align="left"),
        ]
    )
    rows.append(
        [
            Cell("被调查人签字：", colspan=6, align="left"),
            Cell("调查工作人员签字：", colspan=5, align="left"),
        ]
    )
    flow.table(
        [30, 16, 14, 9, 9, 38, 27, 13, 13, 34, 30], rows, size=9, min_h=6.6, pad=1.0, spacing=1.25
    )

    def people(ms) -> list[dict[str, Any]]:
        keys = (
            "name",
            "relation",
            "sex",
            "age",
            "id_number",
            "phone",
            "marital_status",
            "health",
            "illness",
            "disability",
        )
        return [{k: getattr(m, k) for k in keys} for m in ms]

    return HOME_VISIT_TITLE, {
        "head_name": hh.head_name,
        "household_size": len(hh.members),
        "phone": hh.head.phone,
        "address": {
            "city": a.city,
            "county": a.county,
            "town": a.town,
            "community": a.community,
            "printed": address.removeprefix("地址："),
            "full": a.full,
        },
        "members": people(hh.members),
        "obligors": people(hh.obligors),
        "assets": dict(hh.assets),
        "obligor_assets": dict(hh.obligor_assets),
        "income": dict(hh.income),
        "obligor_income": dict(hh.obligor_income),
        "expenses": dict(hh.expenses),
        "obligor_expenses": dict(hh.obligor_expenses),
        "total_income": hh.total_income,
        "per_capita_income": hh.per_capita_income,
        "neighbour_note": hh.neighbour_note,
    }
