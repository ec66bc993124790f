"""Template helpers for the staff admin: masked resident IDs, dates and sizes."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from archive.masking import mask_text, shown_id_number

register = template.Library()


@register.filter
def masked_id(value: str, user) -> str:
    """``{{ member.id_number|masked_id:request.user }}``: whole or masked, per permission."""
    return shown_id_number(user, value or "")


@register.filter
def masked_text(value, user) -> str:
    """``{{ page.text|masked_text:request.user }}``: free text with every ID masked."""
    return mask_text(value or "", user)


@register.filter
def size_display(value) -> str:
    """Bytes as ``1.2 MB (1,234,567 字节)``."""
    if value is None:
        return ""
    return f"{filesizeformat(value)}（{value:,} 字节）"


@register.filter
def dash(value) -> str:
    """An empty value as a dash, so blank catalogue cells stay visibly blank."""
    if value is None or value == "":
        return "—"
    return value


# Field names of the form templates (ingest/form_templates) in the words of the forms.
FIELD_LABELS = {
    "name": "姓名",
    "relation": "与户主关系",
    "sex": "性别",
    "age": "年龄",
    "id_number": "身份证号码",
    "phone": "联系电话",
    "marital_status": "婚姻状况",
    "health": "健康状况",
    "illness": "疾病",
    "disability": "残疾",
    "student": "在校",
    "members": "家庭成员",
    "obligors": "赡扶养义务人",
    "income": "家庭收入",
    "obligor_income": "义务人收入",
    "expenses": "家庭支出",
    "obligor_expenses": "义务人支出",
    "assets": "家庭财产",
    "address": "家庭住址",
    "head_name": "户主姓名",
    "head_id": "户主身份证号",
    "household_size": "家庭人口",
    "report_number": "报告编号",
    "authorization_number": "授权书编号",
    "findings": "核查结果",
    "department": "部门",
    "item": "项目",
    "result": "结果描述",
    "neighbours": "邻里访问情况",
    "neighbour_note": "邻里访问情况",
    "households": "户",
    "roster": "花名册",
    "rows": "行",
    "date": "日期",
    "total": "合计",
    "obligor_assets": "义务人财产",
    "total_income": "总（纯）收入评估",
    "per_capita_income": "年人均纯收入评估",
    "number": "报告编号",
    "entrusting_unit": "委托单位",
    "agency": "核对机构",
    "contact": "联系人",
    "contact_phone": "联系电话",
    "persons": "人数",
    "seq": "序号",
    "city": "市（州）",
    "county": "县（市、区）",
    "town": "乡镇（街道）",
    "operator": "经办人",
    "operator_phone": "经办人电话",
    "section": "部分",
    "caption": "标题",
    "blocks": "分项",
    "values": "评估",
}
# The form templates (ingest/form_templates/*.json) by their Chinese titles.
FORM_TEMPLATE_NAMES = {
    "home_visit": "入户核查表",
    "report": "核对报告",
    "commission": "核对委托书",
    "review_application": "复核申请书",
}


@register.filter
def form_template_name(value) -> str:
    """``home_visit`` → 入户核查表 (the raw name when unknown)."""
    if not value:
        return "—"
    return FORM_TEMPLATE_NAMES.get(value, value)


ID_KEYS = {"id_number", "head_id"}


@register.simple_tag
def form_fields(value, user) -> SafeString:
    """Extracted form fields (nested JSON) as tables; resident IDs masked per permission."""
    return _render(value, user, key="")


def _label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


@register.filter
def form_path_label(path) -> str:
    """``members.relation`` (a form field's path, as ``form["missing"]`` lists them) → its
    labels joined with ·: 家庭成员·与户主关系; ``members/0/id_number`` (``form["unsure"]``)
    → 家庭成员·第 1 行·身份证号码."""
    parts = str(path).replace("/", ".").split(".")
    return "·".join(f"第 {int(p) + 1} 行" if p.isdigit() else _label(p) for p in parts)


def _render(value, user, key: str) -> SafeString:
    if isinstance(value, dict):
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td></tr>",
            ((_label(k), _render(v, user, k)) for k, v in value.items()),
        )
        return format_html(
            '<table class="listing hd-table hd-form"><tbody>{}</tbody></table>', rows
        )
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        columns = list(dict.fromkeys(k for row in value for k in row))
        head = format_html_join("", "<th>{}</th>", ((_label(c),) for c in columns))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (
                    format_html_join(
                        "", "<td>{}</td>", ((_render(row.get(c, ""), user, c),) for c in columns)
                    ),
                )
                for row in value
            ),
        )
        return format_html(
            '<table class="listing hd-table hd-form"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
            head,
            body,
        )
    if isinstance(value, list):
        return format_html_join("、", "{}", ((_render(v, user, key),) for v in value))
    if value is None or value == "":
        return format_html("{}", "—")
    if key in ID_KEYS:
        return format_html("{}", shown_id_number(user, str(value)))
    return format_html("{}", mask_text(str(value), user))
