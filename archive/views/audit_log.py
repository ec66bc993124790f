"""操作日志: the read-only operation log, newest first, limited to the user's jurisdiction."""

from __future__ import annotations

import json

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.timezone import localtime
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column

from archive.masking import mask_text
from archive.models import Agency, AuditEntry
from archive.views.generic import ScopedDetailView, ScopedIndexView

OBJECT_TYPES = [
    ("archive.Household", "户"),
    ("archive.Member", "家庭成员"),
    ("archive.Case", "核对业务"),
    ("archive.Item", "件"),
    ("archive.File", "文件"),
    ("archive.Page", "页"),
    ("archive.Box", "档案盒"),
    ("archive.Subtype", "材料子类"),
    ("archive.Agency", "核对机构"),
    ("archive.User", "用户"),
    ("archive.AuditEntry", "操作日志"),
]
OBJECT_TYPE_NAMES = dict(OBJECT_TYPES)


def audit_entries_visible_to(user):
    """Entries written by users of the user's jurisdiction; a superuser sees all of them.

    The log is not a scoped model (it has no agency key, only the actor's region code), so
    this is its scoping rule.
    """
    entries = AuditEntry.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return entries.none()
    ids = user.visible_agency_ids
    if ids is None:
        return entries
    codes = Agency.objects.filter(pk__in=ids).values_list("region_code", flat=True)
    return entries.filter(agency_code__in=list(codes))


class AuditEntryFilterSet(WagtailFilterSet):
    action = django_filters.ChoiceFilter(
        label="操作", choices=AuditEntry.Action.choices, empty_label="全部", widget=forms.Select
    )
    actor = django_filters.CharFilter(label="操作人", method="filter_actor")
    timestamp = django_filters.DateFromToRangeFilter(label="日期", widget=DateRangePickerWidget)
    object_type = django_filters.ChoiceFilter(
        label="对象类型", choices=OBJECT_TYPES, empty_label="全部", widget=forms.Select
    )
    object = django_filters.CharFilter(label="对象（编号或说明）", method="filter_object")

    class Meta:
        model = AuditEntry
        fields = ["action", "actor", "timestamp", "object_type", "object"]

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(actor_name__icontains=value) | Q(actor__real_name__icontains=value)
        )

    def filter_object(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(object_id=value) | Q(object_repr__icontains=value))


def _when(entry) -> str:
    return localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _actor(entry) -> str:
    real_name = getattr(entry.actor, "real_name", "") if entry.actor_id else ""
    if real_name and real_name != entry.actor_name:
        return f"{real_name}（{entry.actor_name}）"
    return entry.actor_name or "（匿名）"


def _type_name(object_type: str) -> str:
    """The Chinese name of a logged object type: ours first, else the model's verbose name
    (``ingest.Batch`` → 采集批次), else the label as written (a non-model target like 统计)."""
    if object_type in OBJECT_TYPE_NAMES:
        return OBJECT_TYPE_NAMES[object_type]
    if "." in object_type:
        try:
            return str(apps.get_model(object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            pass
    return object_type


def _object(entry, user=None) -> str:
    kind = _type_name(entry.object_type)
    ident = f" #{mask_text(entry.object_id, user)}" if entry.object_id else ""
    return f"{kind}{ident}" if kind or ident else "—"


def agency_names() -> dict[str, str]:
    return dict(Agency.objects.values_list("region_code", "name"))


def _agency(entry, names: dict[str, str]) -> str:
    """The actor's agency by name (the log keeps its region code)."""
    if not entry.agency_code:
        return "—"
    return names.get(entry.agency_code, entry.agency_code)


class AuditEntryIndexView(ScopedIndexView):
    page_title = "操作日志"
    default_ordering = "-id"

    def get_base_queryset(self):
        return audit_entries_visible_to(self.request.user).select_related("actor")

    @cached_property
    def columns(self):
        user = self.request.user
        names = agency_names()  # once per list, not per row
        return [
            self.title_column("id", "编号", accessor=lambda e: f"#{e.pk}", sort_key="id"),
            Column("timestamp", label="时间", accessor=_when, sort_key="timestamp"),
            Column("actor", label="操作人", accessor=_actor),
            Column("agency_code", label="所属机构", accessor=lambda e: _agency(e, names)),
            Column("action", label="操作", accessor="get_action_display"),
            Column("object", label="对象", accessor=lambda e: _object(e, user)),
            Column(
                "object_repr", label="对象说明", accessor=lambda e: mask_text(e.object_repr, user)
            ),
            Column("ip_address", label="来源地址", accessor="ip_address"),
        ]


class AuditEntryDetailView(ScopedDetailView):
    model = AuditEntry
    template_name = "archive/auditentry_detail.html"
    audit_view = False  # reading the log is not itself logged

    def get_scoped_queryset(self):
        return audit_entries_visible_to(self.request.user)

    def get_page_title(self):
        return f"操作日志 #{self.object.pk}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        user = self.request.user
        context["rows"] = [
            ("时间", _when(entry)),
            ("操作人", _actor(entry)),
            (
                "所属机构",
                f"{_agency(entry, agency_names())}（{entry.agency_code}）"
                if entry.agency_code
                else "—",
            ),
            ("操作", entry.get_action_display()),
            ("对象", _object(entry, user)),
            ("对象说明", mask_text(entry.object_repr, user) or "—"),
            ("来源地址", entry.ip_address or "—"),
            ("前一条哈希", entry.prev_hash),
            ("本条哈希", entry.entry_hash),
        ]
        context["detail_json"] = json.dumps(
            mask_text(entry.detail, user), ensure_ascii=False, indent=2
        )
        context["index_url"] = reverse("archive_auditentry:index")
        return context
