"""Serializer fields shared by the API: resident IDs (validated in, masked out), references
to households and agencies that only resolve inside the caller's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive.identifiers import (
    IdentifierError,
    archive_number_pattern,
    normalize_width,
    parse_resident_id,
)
from archive.masking import mask_text, shown_id_number
from archive.models import Agency, Household
from archive.validators import validate_resident_id


def request_user(context: dict):
    request = context.get("request")
    return getattr(request, "user", None)


def mask_ids_in(value: Any, user) -> Any:
    """Mask every resident ID inside strings, lists and dicts, unless the user may see them
    (the one rule of archive.masking.mask_text)."""
    return mask_text(value, user)


def visible_agencies(user):
    """The agencies of the user's jurisdiction (the same rule ``visible_to`` applies)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    ids = user.visible_agency_ids
    return Agency.objects.all() if ids is None else Agency.objects.filter(pk__in=ids)


def household_lookup(value: str) -> dict | None:
    """A household named in a URL or a body: the head's 18-character ID, or its numeric id."""
    v = normalize_width(str(value)).strip().upper()
    if len(v) == 18:
        return {"head_id_number": v}
    if v.isascii() and v.isdigit() and len(v) < 18:
        return {"pk": int(v)}
    return None


def item_lookup(value: str) -> dict:
    """An item named in a URL: its 档号 (any accepted spelling), or its numeric id."""
    v = normalize_width(str(value)).strip()
    if v.isascii() and v.isdigit():
        return {"pk": int(v)}
    try:
        v = archive_number_pattern().parse(v).value
    except IdentifierError:
        pass
    return {"archive_number": v}


@extend_schema_field(
    {
        "type": "string",
        "example": "420102198503151234",
        "description": "18 位身份证号；没有“查看完整身份证号”权限时输出为 420102********1234",
    }
)
class ResidentIdField(serializers.CharField):
    """In: validated by the resident-ID validator, stored in canonical form. Out: masked
    unless the caller has ``archive.view_full_id_number``."""

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if not value:
            return value
        try:
            validate_resident_id(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages[0], code=exc.code) from exc
        return parse_resident_id(value).value

    def to_representation(self, value) -> str:
        return shown_id_number(request_user(self.context), str(value or ""))


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "description": "户主的 18 位身份证号（输入也可用户的数字 id）；按权限脱敏输出",
    }
)
class HouseholdField(serializers.Field):
    """A household of the caller's jurisdiction, by head ID or id."""

    default_error_messages = {"not_found": "户不存在或不在本机构辖区内：{value}"}

    def to_internal_value(self, data) -> Household:
        lookup = household_lookup(data)
        user = request_user(self.context)
        household = None
        if lookup is not None:
            household = Household.objects.visible_to(user).filter(**lookup).first()
        if household is None:
            self.fail("not_found", value=data)
        return household

    def to_representation(self, value: Household) -> str:
        return shown_id_number(request_user(self.context), value.head_id_number)


@extend_schema_field({"type": "string", "example": "420102", "description": "行政区划代码"})
class AgencyField(serializers.SlugRelatedField):
    """An agency of the caller's jurisdiction, by region code."""

    default_error_messages = {
        "does_not_exist": "核对机构不存在或不在本机构辖区内：{value}",
        "invalid": "核对机构应以 6 位行政区划代码表示",
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("slug_field", "region_code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Agency.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        return visible_agencies(request_user(self.context))
