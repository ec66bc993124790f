"""Query filters of the list endpoints. They only narrow querysets that are already scoped."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from archive.api.fields import household_lookup
from archive.categories import Category
from archive.identifiers import normalize_width
from archive.masking import may_see_full_ids
from archive.models import Agency, AuditEntry, Household, Item, Member


def _by_household(queryset, value: str):
    lookup = household_lookup(value)
    if lookup is None:
        return queryset.none()
    return queryset.filter(**{f"household__{k}": v for k, v in lookup.items()})


def _jurisdiction_of(region_code: str) -> list[int]:
    agency = Agency.objects.filter(region_code=region_code.strip()).first()
    return agency.jurisdiction_ids() if agency else []


class AgencyFilterMixin(django_filters.FilterSet):
    agency = django_filters.CharFilter(
        method="filter_agency",
        label="核对机构的行政区划代码；含其下级机构",
    )
    agency_path = "agency"

    def filter_agency(self, queryset, name, value):
        return queryset.filter(**{f"{self.agency_path}__in": _jurisdiction_of(value)})


class HouseholdFilter(AgencyFilterMixin):
    q = django_filters.CharFilter(
        method="filter_q",
        label="户主姓名（包含）或身份证号（有完整身份证号权限时可部分匹配，否则须完整）",
    )

    class Meta:
        model = Household
        fields = ["agency", "q"]

    def filter_q(self, queryset, name, value):
        text = normalize_width(value).strip()
        if not text:
            return queryset
        condition = Q(head_name__icontains=text)
        user = getattr(self.request, "user", None)
        if may_see_full_ids(user):
            condition |= Q(head_id_number__icontains=text)
        else:
            # Whoever sees masked IDs may look up a whole ID, never probe its digits.
            condition |= Q(head_id_number=text.upper())
        return queryset.filter(condition)


class ItemFilter(AgencyFilterMixin):
    category = django_filters.ChoiceFilter(choices=Category.choices, label="材料类别")
    subtype = django_filters.CharFilter(method="filter_subtype", label="子类代码或中文名")
    year = django_filters.NumberFilter(field_name="year", label="形成年度")
    household = django_filters.CharFilter(
        method="filter_household", label="户主身份证号或户的数字 id"
    )
    status = django_filters.ChoiceFilter(choices=Item.Status.choices, label="状态")
    q = django_filters.CharFilter(method="filter_q", label="题名、档号或文号（包含）")

    class Meta:
        model = Item
        fields = ["agency", "category", "subtype", "year", "household", "status", "q"]

    def filter_subtype(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(subtype__code=value.upper()) | Q(subtype__name=value))

    def filter_household(self, queryset, name, value):
        return _by_household(queryset, value)

    def filter_q(self, queryset, name, value):
        text = normalize_width(value).strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(title__icontains=text)
            | Q(archive_number__icontains=text)
            | Q(document_number__icontains=text)
        )


class MemberFilter(django_filters.FilterSet):
    household = django_filters.CharFilter(
        method="filter_household", label="户主身份证号或户的数字 id"
    )

    class Meta:
        model = Member
        fields = ["household"]

    def filter_household(self, queryset, name, value):
        return _by_household(queryset, value)


class AuditFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices, label="操作")
    actor = django_filters.CharFilter(field_name="actor_name", label="操作人账号")
    object_type = django_filters.CharFilter(label="对象类型，如 archive.Item")
    object_id = django_filters.CharFilter(label="对象 id")
    since = django_filters.DateFilter(
        field_name="timestamp", lookup_expr="date__gte", label="起始日期（含）"
    )
    until = django_filters.DateFilter(
        field_name="timestamp", lookup_expr="date__lte", label="截止日期（含）"
    )

    class Meta:
        model = AuditEntry
        fields = ["action", "actor", "object_type", "object_id", "since", "until"]
