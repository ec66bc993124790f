"""Letter-like forms: authorization (A), commission + roster (B), review application (D),
and a plain page of paragraphs (a 情况说明). Each builder lays out onto a :class:`Flow` and
returns ``(title, fields)``."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from .households import SyntheticHousehold, fmt_amount
from .layout import Cell, Flow
from .pools import PLAIN_CLOSINGS, PLAIN_MIDDLES, PLAIN_OPENINGS


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _h(texts: list[str]) -> list[Cell]:
    return [Cell(t, header=True) for t in texts]


def _local_word(county: str) -> str:
    """我区 / 我县 / 我市, as the agency would write it."""
    return "我" + county[-1]


# -- Appendix A ------------------------------------------------------------------------------

AUTH_TITLE = "居民经济状况信息核对授权书"
AUTH_NOTES = (
    "1、审批机构¹包括但不限于乡镇（街道）及以上人民政府、县级及以上社会救助主管部门、乡村振兴部门。",
    "2、政府机构²包括但不限于：财政、公安、卫健、医疗、人社、自然资源、市场监管、统计、残联、教育、"
    "农业、退役军人、计生、民政、法院、司法、扶贫、工会、应急管理、通信、能源、征信。",
    "3、申请人³指授权人本人以及与本人相关的其他申请人。",
    "4、授权人为无民事行为能力人、限制民事行为能力人的，由其法定代理人签署，并在委托代理人/法定代理人"
    "信息表中填写相关信息。",
    "5、采用纸质授权书方式授权的，应由授权人本人或代理人亲笔签名或按捺指印以确认；采用电子授权书方式"
    "授权的，需经信息比对以确认授权人本人或代理人身份后，通过电子签名方式确认授权。",
    "6、委托代理人应确保其于签署本授权书时已取得授权人本人的有效授权，并就授权的真实性和合法性承担"
    "相应法律责任。",
)


def build_authorization(flow: Flow, hh: SyntheticHousehold) -> tuple[str, dict[str, Any]]:
    flow.title(AUTH_TITLE, after=0)
    flow.paragraph(f"（编号：{hh.authorization_number}）", align="center", after=2)
    flow.paragraph(
        f"本人同意授权{hh.approval_authority}（审批机构¹）及全国各级居民家庭经济状况核对机构通过"
        "政府机构²、金融机构、提供货币资金转移服务的非银行支付机构、大数据管理及服务机构、公共事业"
        "单位、相关行业性组织和社会团体等涉及本人基本信息及家庭经济状况信息的机构、单位、部门，就社会"
        "救助、社会保障、社会福利以及其他需要依据居民家庭经济状况进行行政确认、行政给付、行政审批的"
        "相关事项，对本人基本信息及家庭经济状况信息进行查询、核对。"
    )
    flow.paragraph("本人亦同意授权合法留存本人基本信息和家庭经济状况信息的前述机构予以配合提供。")
    flow.paragraph(
        "本授权有效期限自签署之日起至申请人³退出该行政事项止，含申请人纳入监测范围期间。"
    )
    flow.paragraph(
        "本人承诺以下身份证件号码、签名（或指印）均真实有效，如有虚构、隐瞒、伪造，本人愿意承担"
        "相应法律责任及后果。"
    )
    flow.paragraph(
        "本人声明：本人已仔细阅读上述所有条款及填写须知，且对所有条款的含义及相应的法律后果已全部"
        "知晓并充分理解，本人自愿作出上述授权、承诺和声明。",
        after=2,
    )
    head = hh.head
    grantors, agents = [], []
    for m in hh.everyone:
        agent = head if m.age < 18 and m is not head else None
        grantors.append(
            {
                "name": m.name,
                "id_type": m.id_type,
                "id_number": m.id_number,
                "relation": m.relation,
                "agent": agent.name if agent else "",
            }
        )
        if agent:
            role = "父亲" if agent.sex == "男" else "母亲"
            agents.append(
                {
                    "name": agent.name,
                    "id_type": agent.id_type,
                    "id_number": agent.id_number,
                    "relation": role,
                    "grantor": m.name,
                }
            )
    flow.paragraph("授权人信息", indent=0, bold=True, size=11)
    rows: list[list[Cell | str]] = [
        _h(["姓名", "证件类型", "证件号码", "与户主关系", "签名/指印", "委托代理人/法定代理人姓名"])
    ]
    rows += [
        [g["name"], g["id_type"], g["id_number"], g["relation"], "", g["agent"]] for g in grantors
    ]
    flow.table([15, 13, 38, 15, 18, 24], rows, size=10.5)
    flow.paragraph("委托代理人/法定代理人信息", indent=0, bold=True, size=11)
    rows = [_h(["姓名", "证件类型", "证件号码", "与授权人关系", "签名/指印"])]
    rows += [[a["name"], a["id_type"], a["id_number"], a["relation"], ""] for a in agents]
    rows += [[""] * 5] if not agents else []
    flow.table([15, 13, 38, 20, 24], rows, size=10.5)
    flow.paragraph(f"经办人员：{hh.operator}", indent=0)
    flow.paragraph(cn_date(hh.authorization_date), align="right", after=3)
    flow.paragraph("填写须知：", indent=0, size=10.5, bold=True)
    for note in AUTH_NOTES:
        flow.paragraph(note, size=10.5, spacing=1.5)
    return AUTH_TITLE, {
        "number": hh.authorization_number,
        "approval_authority": hh.approval_authority,
        "grantors": grantors,
        "agents": agents,
        "operator": hh.operator,
        "date": hh.authorization_date,
    }


# -- Appendix B ------------------------------------------------------------------------------

COMMISSION_TITLE = "居民家庭经济状况核对委托书"
ROSTER_TITLE = "查询对象花名册"


def build_commission(flow: Flow, households: list[SyntheticHousehold]) -> tuple[str, dict]:
    hh = households[0]
    persons = sum(len(h.everyone) for h in households)
    flow.title(COMMISSION_TITLE, after=6)
    flow.paragraph(f"{hh.agency}：", indent=0)
    flow.paragraph(
        "根据《社会救助暂行办法》、《湖北省居民家庭经济状况核对办法(试行)》和相关政策规定，现委托你"
        f"中心对{persons}人次的经济状况等信息予以核对。我单位已取得该批次查询对象本人同意授权，并对提供"
        "材料的完整性、有效性、一致性进行了审核确认，具体核对名单以提交的电子数据为准。对因未取得授权"
        "擅自核查、信息泄露而产生的法律后果，由我单位承担。"
    )
    flow.paragraph("特此委托。", after=6)
    flow.pieces([(f"联系人：{hh.unit_contact}", 8.5), (f"联系电话：{hh.unit_phone}", 70)])
    flow.space(4)
    flow.paragraph("附件：查询对象花名册", after=14)
    flow.paragraph(f"委托单位（盖章）：{hh.entrusting_unit}", align="right")
    flow.paragraph(cn_date(hh.commission_date), align="right")
    flow.new_page()
    flow.title(ROSTER_TITLE, size=16)
    rows: list[list[Cell | str]] = [
        _h(["序号", "市（州）", "县（市、区）", "乡镇（街道）", "户主姓名", "户主身份证号"])
        + _h(["成员姓名", "成员身份证号"])
    ]
    roster = []
    for i, h in enumerate(households, start=1):
        people = h.everyone
        k = len(people)
        a = h.address
        first: list[Cell | str] = [
            Cell(t, rowspan=k) for t in (str(i), a.city, a.county, a.town, h.head_name, h.head_id)
        ]
        rows.append(first + [people[0].name, people[0].id_number])
        rows += [[m.name, m.id_number] for m in people[1:]]
        roster.append(
            {
                "seq": i,
                "city": a.city,
                "county": a.county,
                "town": a.town,
                "head_name": h.head_name,
                "head_id": h.head_id,
                "members": [{"name": m.name, "id_number": m.id_number} for m in people],
            }
        )
    flow.table([7, 13, 13, 16, 12, 33, 12, 33], rows, size=9, min_h=7)
    return COMMISSION_TITLE, {
        "agency": hh.agency,
        "entrusting_unit": hh.entrusting_unit,
        "persons": persons,
        "contact": hh.unit_contact,
        "contact_phone": hh.unit_phone,
        "date": hh.commission_date,
        "roster_title": ROSTER_TITLE,
        "roster": roster,
    }


# -- Appendix D ------------------------------------------------------------------------------

REVIEW_TITLE = "核对结果复核申请书"


def build_review_application(flow: Flow, hh: SyntheticHousehold) -> tuple[str, dict]:
    flow.title(REVIEW_TITLE, after=6)
    flow.paragraph(f"{hh.parent_agency}：", indent=0)
    n = len(hh.review_items)
    flow.paragraph(
        f"兹有{_local_word(hh.address.county)}社会救助相关对象1户{n}人需对核对结果申请复核，相关委托"
        "复核材料已经我机构审核确认，特此申请复核协助，复核对象详细信息如下。",
        after=2,
    )
    ids = {m.name: m.id_number for m in hh.everyone}
    a = hh.address
    rows: list[list[Cell | str]] = [
        [Cell("市（州）", rowspan=2, header=True), Cell("县（市、区）", rowspan=2, header=True)]
        + [
            Cell(t, colspan=2, header=True)
            for t in ("户主信息", "申请复核对象信息", "复核结果信息")
        ],
        _h(["姓名", "身份证号", "姓名", "身份证号", "复核项目", "核对报告编号"]),
    ]
    out = []
    for name, item in hh.review_items:
        row = [a.city, a.county, hh.head_name, hh.head_id, name, ids[name], item, hh.report_number]
        rows.append(list(row))
        keys = ("city", "county", "head_name", "head_id", "name", "id_number", "item")
        out.append(dict(zip(keys + ("report_number",), row, strict=True)))
    flow.table([14, 14, 11, 33.5, 11, 33.5, 14, 44], rows, size=8, min_h=8)
    flow.paragraph(f"（经办人：{hh.operator}，联系电话：{hh.operator_phone}）", indent=0, after=12)
    flow.paragraph(hh.agency, align="right")
    flow.paragraph("（签　章）", align="right")
    flow.paragraph(cn_date(hh.review_date), align="right")
    return REVIEW_TITLE, {
        "to_agency": hh.parent_agency,
        "from_agency": hh.agency,
        "households": 1,
        "persons": n,
        "rows": out,
        "operator": hh.operator,
        "operator_phone": hh.operator_phone,
        "date": hh.review_date,
    }


# -- Plain page ------------------------------------------------------------------------------


def build_plain(flow: Flow, hh: SyntheticHousehold, rng: random.Random) -> tuple[str, dict]:
    head = hh.head
    title = f"关于{head.name}家庭经济状况的情况说明"
    flow.title(title, size=16, after=6)
    flow.paragraph(f"{hh.agency}：", indent=0)
    sick = [m for m in hh.members if m.illness != "无"]
    students = [m for m in hh.members if m.student]
    values = {
        "head": head.name,
        "head_id": head.id_number,
        "address": hh.address.full,
        "n": len(hh.members),
        "apply_date": cn_date(hh.reference_date),
        "town": hh.address.town,
        "business": hh.business_name,
        "visitor": hh.visitors[0],
        "visit_date": cn_date(hh.visit_date),
        "house": (
            f"自有住房，建筑面积{hh.house_area}平方米"
            if hh.assets["房产"] != "租住"
            else "租住房屋"
        ),
        "head_situation": (
            f"身患{sick[0].illness.split('（')[0]}"
            if sick and sick[0] is head
            else "年事已高"
            if head.age >= 60
            else "务工收入不稳定"
        ),
        "income_source": "养老金" if head.age >= 60 else "务工收入",
        "total": fmt_amount(hh.total_income),
        "per_capita": fmt_amount(hh.per_capita_income),
        "members": "、".join(f"{m.name}（{m.relation}，{m.age}岁）" for m in hh.members),
        "dependants": (
            "、".join(m.name for m in students) + "为在校学生"
            if students
            else f"{sick[0].name}长期患病"
            if sick
            else "无稳定收入来源"
        ),
        "medical": fmt_amount(hh.expenses["医疗支出"]),
        "education": fmt_amount(hh.expenses["教育支出"]),
        "obligors": "、".join(f"{m.name}（{m.relation}）" for m in hh.obligors),
        "support": fmt_amount(hh.obligor_expenses.get("其他支出", 0)),
        "deposits": fmt_amount(hh.deposits),
    }
    village = hh.address.community.endswith("村")
    values["org"] = "村" if village else "社区"
    values["committee"] = "村民委员会" if village else "社区居民委员会"
    middles = [m for m in PLAIN_MIDDLES if hh.obligors or "{obligors}" not in m]
    paragraphs = [rng.choice(PLAIN_OPENINGS)] + middles + [rng.choice(PLAIN_CLOSINGS)]
    texts = [p.format(**values) for p in paragraphs]
    for text in texts:
        flow.paragraph(text)
    signer = hh.address.community + ("村民委员会" if village else "居民委员会")
    flow.space(12)
    flow.paragraph(signer, align="right")
    flow.paragraph(cn_date(hh.visit_date), align="right")
    return title, {
        "addressee": hh.agency,
        "paragraphs": texts,
        "signer": signer,
        "date": hh.visit_date,
    }
