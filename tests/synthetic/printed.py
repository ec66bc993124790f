"""The standard's forms as other agencies print them: a generator separate from
:mod:`.forms` (its own drawing code, its own layouts), for the OCR benchmark and tests.

    >>> from tests.synthetic import make_households
    >>> from tests.synthetic.printed import render_printed
    >>> form = render_printed("home_visit_landscape", make_households(5, seed=2024)[4])

Layouts (``LAYOUTS``):

* ``home_visit_landscape``: 入户核查表 on A4 landscape inside an outer frame that also holds
  the title and the header line; member columns in another order and width, two blank rows;
  the obligors' assets and income each in ONE cell merged across the five item columns,
  written as prose (several amounts, each with its person);
* ``home_visit_portrait``: 入户核查表 on A4 portrait, the header line (户主姓名, 家庭人口, 联系电话,
  地址) as the first rows of the table, fewer member columns, no blank rows; an income cell
  in words (子女每月给付赡养费约600元);
* ``review_application_landscape``: 复核申请书 on A4 landscape, a one-row header with the
  columns in another order (no 市（州）), two blank rows;
* ``roster_two_pages``: a 委托书 whose 花名册 starts on page 1 and runs onto page 2 (the
  header is not repeated there; a household may be split by the page break).

Ground truth: ``page_texts`` (reading order: top to bottom, a table row by row, cell by
cell, one line per printed line), ``fields`` in the shape ``ingest.formocr.extract`` gives
(amounts as ``"1234.50"``, prose amount cells as their words), ``title``/``header`` lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from .households import ASSET_ITEMS, EXPENSE_ITEMS, INCOME_ITEMS, SyntheticHousehold
from .layout import FONT_PATH

__all__ = ["LAYOUTS", "PrintedForm", "render_printed"]

LAYOUTS = (
    "home_visit_landscape",
    "home_visit_portrait",
    "roster_two_pages",
    "review_application_landscape",
)
HOME_VISIT_TITLE = "居民家庭经济状况入户核查表"
COMMISSION_TITLE = "居民家庭经济状况核对委托书"
REVIEW_TITLE = "核对结果复核申请书"
ROSTER_TITLE = "查询对象花名册"
OBLIGOR = "非共同生活法定义务人"


@lru_cache(maxsize=32)
def _font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_PATH, px, index=0)


@dataclass
class C:
    """A table cell: text, spans, font size (pt)."""

    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    size: float | None = None


@dataclass
class PrintedForm:
    layout: str
    template: str
    title: str
    header: str  # the header line outside (or on top of) the table, as printed
    dpi: int
    images: list[Image.Image]
    page_texts: list[str]
    fields: dict[str, Any]
    merged: dict[str, list[str]] = field(default_factory=dict)  # block → keys a cell covers


class Sheet:
    """One page drawn in millimetres; ``lines`` collects the ground truth in reading order."""

    def __init__(self, width_mm: float, height_mm: float, dpi: int):
        self.f = dpi / 25.4
        self.img = Image.new("L", (round(width_mm * self.f), round(height_mm * self.f)), 255)
        self.draw = ImageDraw.Draw(self.img)
        self.img.info["dpi"] = (dpi, dpi)
        self.lines: list[str] = []
        self.width, self.height = width_mm, height_mm

    def px(self, v: float) -> int:
        return round(v * self.f)

    def font(self, size_pt: float) -> ImageFont.FreeTypeFont:
        return _font(max(6, round(size_pt * 25.4 / 72 * self.f)))

    def text(self, x: float, y: float, s: str, size: float = 10.5, anchor: str = "ls") -> None:
        """Baseline at ``y`` mm; ``anchor`` "ls" (left) or "ms" (centred on ``x``)."""
        stroke = 1 if size >= 14 else 0
        self.draw.text(
            (self.px(x), self.px(y)),
            s,
            font=self.font(size),
            fill=0,
            anchor=anchor,
            stroke_width=stroke,
            stroke_fill=0,
        )
        self.lines.append(s)

    def rule(self, x0: float, y0: float, x1: float, y1: float, width_pt: float = 0.8) -> None:
        w = max(2, round(width_pt * 25.4 / 72 * self.f))
        self.draw.rectangle(
            (
                self.px(x0) - w // 2,
                self.px(y0) - w // 2,
                self.px(x1) + w // 2,
                self.px(y1) + w // 2,
            ),
            fill=0,
        )

    def wrap(self, s: str, width_mm: float, size: float) -> list[str]:
        font, limit = self.font(size), self.px(width_mm)
        out, cur = [], ""
        for ch in s:
            if cur and font.getlength(cur + ch) > limit:
                out.append(cur)
                cur = ""
            cur += ch
        return out + ([cur] if cur else [])

    def table(
        self,
        x: float,
        y: float,
        widths: list[float],
        rows: list[list[C]],
        size: float = 9,
        min_h: float = 7.0,
        pad: float = 1.2,
        left: bool = False,
    ) -> float:
        """Draw a ruled table; returns the y (mm) under it."""
        taken: set[tuple[int, int]] = set()
        placed = []  # (row, col, cell)
        for r, row in enumerate(rows):
            col = 0
            for cell in row:
                while (r, col) in taken:
                    col += 1
                placed.append((r, col, cell))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, col + dc))
                col += cell.colspan
        wrapped = {}
        heights = [min_h] * len(rows)
        for r, col, cell in placed:
            s = cell.size or size
            w = sum(widths[col : col + cell.colspan]) - 2 * pad
            lines = self.wrap(cell.text, w, s) if cell.text else []
            wrapped[id(cell)] = lines
            need = len(lines) * s * 25.4 / 72 * 1.3 + 2 * pad
            if cell.rowspan == 1:
                heights[r] = max(heights[r], need)
        tops = [y]
        for h in heights:
            tops.append(tops[-1] + h)
        xs = [x]
        for w in widths:
            xs.append(xs[-1] + w)
        for r, col, cell in sorted(placed, key=lambda p: (p[0], p[1])):
            x0, x1 = xs[col], xs[col + cell.colspan]
            y0, y1 = tops[r], tops[r + cell.rowspan]
            for a, b, c, d in (
                (x0, y0, x1, y0),
                (x0, y1, x1, y1),
                (x0, y0, x0, y1),
                (x1, y0, x1, y1),
            ):
                self.rule(a, b, c, d)
            lines = wrapped[id(cell)]
            s = cell.size or size
            lh = s * 25.4 / 72 * 1.3
            top = (y0 + y1) / 2 - lh * len(lines) / 2
            for n, ln in enumerate(lines):
                base = top + lh * (n + 0.78)
                if left and len(lines) > 1:
                    self.text(x0 + pad, base, ln, s)
                else:
                    self.text((x0 + x1) / 2, base, ln, s, anchor="ms")
        return tops[-1]


def _amount(v: Decimal) -> str:
    return f"{v:.2f}"


def _printed_amount(v: Decimal) -> str:
    return f"{v:,.2f}" if v else "无"


def _obligor_prose(hh: SyntheticHousehold) -> tuple[str, list[dict]]:
    """The obligors' income as one sentence with each obligor's monthly amount."""
    total = sum(hh.obligor_income.values(), Decimal("0"))
    people = hh.obligors or hh.members[:1]
    parts, amounts = [], []
    for n, m in enumerate(people):
        monthly = int(total / 12 / len(people) / 100 + n) * 100 + 200 * n or 1500
        parts.append(f"{m.name}务工月收入约{monthly:,}元")
        amounts.append({"person": m.name, "amount": f"{monthly}.00"})
    return "；".join(parts), amounts


def _header_pieces(hh: SyntheticHousehold) -> list[str]:
    a = hh.address
    return [
        f"户主姓名：{hh.head_name}",
        f"家庭人口：{len(hh.members)}",
        f"联系电话：{hh.head.phone}",
        f"地址：{a.city}{a.county}{a.town}{a.community}{a.detail}",
    ]


def _blocks(hh: SyntheticHousehold, prose_transfer: bool) -> tuple[dict, dict]:
    """The truth of the income/expense/asset rows, and the cells as printed."""
    income = {k: _amount(v) for k, v in hh.income.items()}
    printed_income = {k: _printed_amount(v) for k, v in hh.income.items()}
    if prose_transfer:
        words = "子女每月给付赡养费约600元"
        income["转移性收入"] = words
        printed_income["转移性收入"] = words
    o_text, o_amounts = _obligor_prose(hh)
    o_assets = "、".join(m.name for m in hh.obligors[:2]) or hh.head_name
    o_assets += f"各有住房1套，存款合计约{int(hh.deposits or 8000):,}元"
    truth = {
        "income": income,
        "expenses": {k: _amount(v) for k, v in hh.expenses.items()},
        "assets": dict(hh.assets),
        "obligor_income": {"工资性收入": o_text},
        "obligor_assets": {"金融资产": o_assets},
        "obligor_amounts": o_amounts,
    }
    printed = {
        "income": printed_income,
        "expenses": {k: _printed_amount(v) for k, v in hh.expenses.items()},
        "assets": dict(hh.assets),
        "obligor_income": o_text,
        "obligor_assets": o_assets,
    }
    return truth, printed


def _person(m, keys) -> dict:
    return {k: (m.age if k == "age" else getattr(m, k)) for k in keys}


def _home_visit_landscape(hh: SyntheticHousehold, dpi: int) -> PrintedForm:
    sheet = Sheet(297, 210, dpi)
    margin = 10.0
    sheet.text(148.5, 21, HOME_VISIT_TITLE, 17, anchor="ms")
    pieces = _header_pieces(hh)
    header = "  ".join(pieces)
    sheet.draw.text(
        (sheet.px(margin + 3), sheet.px(31)), header, font=sheet.font(10), fill=0, anchor="ls"
    )
    sheet.lines.append(header)
    columns = [
        "姓名",
        "性别",
        "年龄",
        "与户主关系",
        "身份证号码",
        "婚姻状况",
        "健康状况",
        "联系电话",
        "重大疾病",
        "残疾情况",
    ]
    keys = [
        "name",
        "sex",
        "age",
        "relation",
        "id_number",
        "marital_status",
        "health",
        "phone",
        "illness",
        "disability",
    ]
    widths = [34, 19, 11, 11, 19, 44, 17, 17, 27, 34, 30]  # first: the group label
    truth, printed = _blocks(hh, prose_transfer=False)
    n_members = len(hh.members) + 2
    rows: list[list[C]] = [[C("共同生活家庭成员", rowspan=n_members + 1)] + [C(t) for t in columns]]
    for i in range(n_members):
        m = hh.members[i] if i < len(hh.members) else None
        rows.append([C(str(_person(m, keys)[k]) if m else "") for k in keys])
    n_ob = max(1, len(hh.obligors))
    for i in range(n_ob):
        m = hh.obligors[i] if i < len(hh.obligors) else None
        first = [C(OBLIGOR, rowspan=n_ob)] if i == 0 else []
        rows.append(first + [C(str(_person(m, keys)[k]) if m else "") for k in keys])
    spans = (2, 2, 2, 2, 2)

    def section(label, heads, values, o_value):
        rows.append(
            [C(label)] + [C(t, colspan=s, size=8) for t, s in zip(heads, spans, strict=True)]
        )
        rows.append(
            [C("共同生活成员")] + [C(v, colspan=s) for v, s in zip(values, spans, strict=True)]
        )
        rows.append([C(OBLIGOR)] + [C(o_value, colspan=10)])

    section(
        "家庭财产情况",
        ["存款、证券等金融资产", "机动车辆及大型农机具", "开办企业情况", "房产及面积", "其他财产"],
        [printed["assets"][k] for k in ASSET_ITEMS],
        printed["obligor_assets"],
    )
    section(
        "家庭收入情况",
        ["工资性收入", "家庭经营净收入", "财产性收入", "转移性收入", "其他应计入收入"],
        [printed["income"][k] for k in INCOME_ITEMS],
        printed["obligor_income"],
    )
    expense_order = [1, 0, 2, 3, 4]  # 教育 before 医疗
    exp_heads = ["医疗支出", "教育支出", "婴儿营养支出", "住房支出", "其他支出情况"]
    rows.append([C("家庭支出情况")] + [C(exp_heads[i], colspan=2, size=8) for i in expense_order])
    rows.append(
        [C("共同生活成员")]
        + [C(printed["expenses"][EXPENSE_ITEMS[i]], colspan=2) for i in expense_order]
    )
    total, per = hh.total_income, hh.per_capita_income
    rows.append(
        [
            C("家庭总（纯）收入评估"),
            C(f"{total:,.2f}元", colspan=4),
            C("家庭年人均纯收入评估", colspan=2),
            C(f"{per:,.2f}元", colspan=4),
        ]
    )
    rows.append([C("邻里访问情况"), C(hh.neighbour_note, colspan=10)])
    top = 35.0
    bottom = sheet.table(
        margin + 3, top, widths[:1] + widths[1:], rows, size=8.5, min_h=6.2, left=True
    )
    sheet.text(margin + 5, bottom + 6, "被调查人签字：", 10)
    sheet.text(160, bottom + 6, "调查工作人员签字：", 10)
    # The outer frame around everything, title and header line included; its sides are
    # the table's (the title area is a closed box above the first row).
    right = margin + 3 + sum(widths)
    sheet.rule(margin + 3, margin, right, margin)
    sheet.rule(margin + 3, bottom + 10, right, bottom + 10)
    sheet.rule(margin + 3, margin, margin + 3, bottom + 10)
    sheet.rule(right, margin, right, bottom + 10)
    fields = {
        "head_name": hh.head_name,
        "household_size": len(hh.members),
        "phone": hh.head.phone,
        "members": [_person(m, keys) for m in hh.members],
        "obligors": [_person(m, keys) for m in hh.obligors],
        **{k: v for k, v in truth.items()},
        "total_income": _amount(total),
        "per_capita_income": _amount(per),
        "neighbour_note": hh.neighbour_note,
    }
    return PrintedForm(
        "home_visit_landscape",
        "home_visit",
        HOME_VISIT_TITLE,
        header,
        dpi,
        [sheet.img],
        ["\n".join(sheet.lines)],
        fields,
        merged={"obligor_income": list(INCOME_ITEMS), "obligor_assets": list(ASSET_ITEMS)},
    )


def _home_visit_portrait(hh: SyntheticHousehold, dpi: int) -> PrintedForm:
    sheet = Sheet(210, 297, dpi)
    sheet.text(105, 22, HOME_VISIT_TITLE, 16, anchor="ms")
    pieces = _header_pieces(hh)
    x, widths = 12.0, [28, 26, 20, 22, 22, 20, 48]
    columns = ["与户主关系", "姓 名", "性别", "婚姻状况", "年龄", "身份证号码"]
    keys = ["relation", "name", "sex", "marital_status", "age", "id_number"]
    truth, printed = _blocks(hh, prose_transfer=True)
    label, value = (p.split("：", 1) for p in pieces[:3]), pieces[3].split("：", 1)
    head_row = []
    for lab, val in label:
        head_row += [C(lab), C(val)]
    rows: list[list[C]] = [
        head_row[:4] + [C(head_row[4].text), C(head_row[5].text, colspan=2)],
        [C(value[0]), C(value[1], colspan=6)],
        [C("共同生活家庭成员", rowspan=len(hh.members) + 1)] + [C(t) for t in columns],
    ]
    for m in hh.members:
        rows.append([C(str(_person(m, keys)[k])) for k in keys])
    if hh.obligors:
        rows.append(
            [C(OBLIGOR, rowspan=len(hh.obligors))]
            + [C(str(_person(hh.obligors[0], keys)[k])) for k in keys]
        )
        for m in hh.obligors[1:]:
            rows.append([C(str(_person(m, keys)[k])) for k in keys])
    heads = ["工资性收入", "家庭经营净收入", "财产性收入", "转移性收入", "其他应计入收入"]
    spans = (1, 1, 1, 2, 1)
    rows.append(
        [C("家庭收入情况")] + [C(h, colspan=n, size=8) for h, n in zip(heads, spans, strict=True)]
    )
    rows.append(
        [C("共同生活成员")]
        + [C(printed["income"][k], colspan=n) for k, n in zip(INCOME_ITEMS, spans, strict=True)]
    )
    total, per = hh.total_income, hh.per_capita_income
    rows.append(
        [
            C("家庭总（纯）收入评估"),
            C(f"{total:,.2f}元", colspan=2),
            C("家庭年人均纯收入评估", colspan=2),
            C(f"{per:,.2f}元", colspan=2),
        ]
    )
    rows.append([C("邻里访问情况"), C(hh.neighbour_note, colspan=6)])
    bottom = sheet.table(x, 32, widths, rows, size=9, min_h=8.0, left=True)
    sheet.text(x + 2, bottom + 10, "被调查人签字：", 10.5)
    sheet.text(120, bottom + 10, "调查工作人员签字：", 10.5)
    income = truth["income"]
    fields = {
        "head_name": hh.head_name,
        "household_size": len(hh.members),
        "phone": hh.head.phone,
        "members": [_person(m, keys) for m in hh.members],
        "obligors": [_person(m, keys) for m in hh.obligors],
        "income": income,
        "total_income": _amount(total),
        "per_capita_income": _amount(per),
        "neighbour_note": hh.neighbour_note,
    }
    return PrintedForm(
        "home_visit_portrait",
        "home_visit",
        HOME_VISIT_TITLE,
        "".join(pieces[:3]),
        dpi,
        [sheet.img],
        ["\n".join(sheet.lines)],
        fields,
    )


def _roster_two_pages(households: list[SyntheticHousehold], dpi: int) -> PrintedForm:
    hh = households[0]
    persons = sum(len(h.everyone) for h in households)
    pages = [Sheet(210, 297, dpi), Sheet(210, 297, dpi)]
    s = pages[0]
    s.text(105, 24, COMMISSION_TITLE, 16, anchor="ms")
    y = 36.0
    for line in s.wrap(
        f"{hh.agency}：现委托你中心对{persons}人次的经济状况等信息予以核对，"
        "我单位已取得查询对象本人同意授权。",
        180,
        11,
    ):
        s.text(15, y, line, 11)
        y += 7
    s.text(15, y + 2, f"联系人：{hh.unit_contact}  联系电话：{hh.unit_phone}", 11)
    s.text(105, y + 14, ROSTER_TITLE, 14, anchor="ms")
    header = [
        C("序号"),
        C("户主姓名"),
        C("户主身份证号"),
        C("成员姓名"),
        C("成员身份证号"),
        C("县（市、区）"),
        C("乡镇（街道）"),
    ]
    widths = [12, 20, 42, 20, 42, 22, 24]
    flat = []  # (household index, person, first of household)
    for i, h in enumerate(households):
        for k, m in enumerate(h.everyone):
            flat.append((i, m, k == 0))
    # Page 1 holds what fits under the letter; the rest runs onto page 2.
    per_page1 = min(max(4, len(flat) - 6), int((280 - (y + 20)) / 9) - 1)
    chunks = [flat[:per_page1], flat[per_page1:]]

    def rows_of(chunk):
        rows = []
        n = 0
        while n < len(chunk):
            i = chunk[n][0]
            run = [c for c in chunk[n:] if c[0] == i]
            run = run[: next((k for k, c in enumerate(run) if k and c[2]), len(run))]
            h = households[i]
            shown = run[0][2]  # a household split by the page break: blank merged cells
            lead = [
                C(t if shown else "", rowspan=len(run))
                for t in (str(i + 1), h.head_name, h.head_id)
            ]
            tail = [
                C(t if shown else "", rowspan=len(run)) for t in (h.address.county, h.address.town)
            ]
            for k, (_, m, _) in enumerate(run):
                rows.append(
                    (lead if k == 0 else [])
                    + [C(m.name), C(m.id_number)]
                    + (tail if k == 0 else [])
                )
            n += len(run)
        return rows

    s.table(10, y + 20, widths, [header] + rows_of(chunks[0]), size=9, min_h=9)
    pages[1].table(10, 20, widths, rows_of(chunks[1]), size=9, min_h=9)
    pages[1].text(150, 280, f"委托单位（盖章）：{hh.entrusting_unit}", 10.5, anchor="ms")
    roster = [
        {
            "seq": i + 1,
            "head_name": h.head_name,
            "head_id": h.head_id,
            "members": [{"name": m.name, "id_number": m.id_number} for m in h.everyone],
        }
        for i, h in enumerate(households)
    ]
    return PrintedForm(
        "roster_two_pages",
        "commission",
        COMMISSION_TITLE,
        "",
        dpi,
        [p.img for p in pages],
        ["\n".join(p.lines) for p in pages],
        {"roster": roster},
    )


def _review_landscape(hh: SyntheticHousehold, dpi: int) -> PrintedForm:
    sheet = Sheet(297, 210, dpi)
    sheet.text(148.5, 24, REVIEW_TITLE, 16, anchor="ms")
    sheet.text(20, 38, f"{hh.parent_agency}：", 11)
    n = len(hh.review_items)
    intro = f"兹有相关对象1户{n}人需对核对结果申请复核，复核对象详细信息如下。"
    sheet.text(28, 47, intro, 11)
    header = ["核对报告编号", "申请复核人姓名", "申请复核人身份证号", "复核项目", "户主姓名",
              "户主身份证号", "县（市、区）"]  # fmt: skip
    ids = {m.name: m.id_number for m in hh.everyone}
    rows, out = [[C(t) for t in header]], []
    for name, item in hh.review_items:
        rows.append([C(t) for t in (hh.report_number, name, ids[name], item, hh.head_name,
                                    hh.head_id, hh.address.county)])  # fmt: skip
        out.append({"head_name": hh.head_name, "head_id": hh.head_id, "name": name,
                    "id_number": ids[name], "item": item, "report_number": hh.report_number})  # fmt: skip
    rows += [[C("") for _ in header] for _ in range(2)]
    bottom = sheet.table(15, 54, [58, 28, 46, 30, 24, 46, 35], rows, size=9, min_h=9)
    sheet.text(20, bottom + 10, f"经办人：{hh.operator}，联系电话：{hh.operator_phone}", 11)
    sheet.text(230, bottom + 24, hh.agency, 11, anchor="ms")
    return PrintedForm(
        "review_application_landscape", "review_application", REVIEW_TITLE, "", dpi,
        [sheet.img], ["\n".join(sheet.lines)], {"rows": out},
    )  # fmt: skip


def render_printed(
    layout: str, households: SyntheticHousehold | list[SyntheticHousehold], dpi: int = 300
) -> PrintedForm:
    """Draw ``layout`` (``LAYOUTS``) for a household (``roster_two_pages``: several)."""
    hhs = [households] if isinstance(households, SyntheticHousehold) else list(households)
    if layout == "home_visit_landscape":
        return _home_visit_landscape(hhs[0], dpi)
    if layout == "home_visit_portrait":
        return _home_visit_portrait(hhs[0], dpi)
    if layout == "roster_two_pages":
        return _roster_two_pages(hhs, dpi)
    if layout == "review_application_landscape":
        return _review_landscape(hhs[0], dpi)
    raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
