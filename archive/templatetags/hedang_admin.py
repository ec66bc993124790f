"""Template helpers for the staff admin: masked resident IDs, dates and sizes."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import filesizeformat

from archive.masking import shown_id_number

register = template.Library()


@register.filter
def masked_id(value: str, user) -> str:
    """``{{ member.id_number|masked_id:request.user }}``: whole or masked, per permission."""
    return shown_id_number(user, value or "")


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
