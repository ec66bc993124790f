"""The staff admin's viewsets: 户, 家庭成员, 件, 核对机构, 操作日志.

Menu items show by model permission (roles are groups, see archive.roles). Rows and objects
come only through the scoping rule (archive.scoping); see archive.views.generic.
"""

from __future__ import annotations

from django.urls import path
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic

from archive.forms import HouseholdForm, MemberForm
from archive.models import Agency, AuditEntry, Household, Item, Member
from archive.views import audit_log, households, items
from archive.views.access import AuditedAccessMixin
from archive.views.generic import ScopedModelViewSet


class HouseholdViewSet(ScopedModelViewSet):
    model = Household
    name = "archive_household"
    url_prefix = "households"
    icon = "home"
    menu_label = "户"
    menu_order = 110
    add_to_admin_menu = True
    routed_views = ("add", "edit", "detail")
    index_view_class = households.HouseholdIndexView
    add_view_class = households.HouseholdCreateView
    edit_view_class = households.HouseholdEditView
    filterset_class = households.HouseholdFilterSet
    search_fields = ["head_name", "head_id_number"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return HouseholdForm

    def get_extra_urlpatterns(self):
        return [self.extra_path("<int:pk>/", households.HouseholdDetailView, "detail")]


class MemberViewSet(ScopedModelViewSet):
    """Members are added and edited from their household's page; no menu item of their own."""

    model = Member
    name = "archive_member"
    url_prefix = "members"
    icon = "group"
    add_to_admin_menu = False
    routed_views = ("add", "edit")
    index_view_class = households.MemberIndexView
    add_view_class = households.MemberCreateView
    edit_view_class = households.MemberEditView

    def get_form_class(self, for_update=False):
        return MemberForm


class ItemViewSet(ScopedModelViewSet):
    model = Item
    name = "archive_item"
    url_prefix = "items"
    icon = "doc-full"
    menu_label = "件"
    menu_order = 120
    add_to_admin_menu = True
    routed_views = ("detail",)
    index_view_class = items.ItemIndexView
    filterset_class = items.ItemFilterSet
    search_fields = ["title", "archive_number", "document_number"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return None  # items are made by ingestion and filing, not typed in here

    def get_extra_urlpatterns(self):
        return [
            self.extra_path("<int:pk>/", items.ItemDetailView, "detail"),
            path("files/<int:pk>/download/", items.download_file, name="download"),
            path("files/<int:pk>/image/", items.page_image, name="page_image"),
        ]


class AgencyIndexView(AuditedAccessMixin, generic.IndexView):
    """Agencies are public reference data (GB/T 2260), not household data: all are listed."""

    page_title = "核对机构"

    def get_base_queryset(self):
        return Agency.objects.select_related("parent").order_by("region_code")

    @cached_property
    def columns(self):
        return [
            Column(
                "region_code", label="行政区划代码", accessor="region_code", sort_key="region_code"
            ),
            Column("name", label="机构名称", accessor="name", sort_key="name"),
            Column("level", label="层级", accessor="get_level_display", sort_key="level"),
            Column("parent", label="上级机构", accessor=lambda a: a.parent or "—"),
            Column("fonds", label="全宗号", accessor="fonds"),
        ]


class AgencyViewSet(ScopedModelViewSet):
    model = Agency
    name = "archive_agency"
    url_prefix = "agencies"
    icon = "site"
    menu_label = "核对机构"
    menu_order = 130
    add_to_admin_menu = True
    index_view_class = AgencyIndexView
    list_filter = ["level"]
    search_fields = ["name", "region_code", "region_name"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return None


class AuditEntryViewSet(ScopedModelViewSet):
    model = AuditEntry
    name = "archive_auditentry"
    url_prefix = "audit-log"
    icon = "history"
    menu_label = "操作日志"
    menu_order = 140
    add_to_admin_menu = True
    routed_views = ("detail",)
    index_view_class = audit_log.AuditEntryIndexView
    filterset_class = audit_log.AuditEntryFilterSet
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return None  # append-only: no form, no edit, no delete

    def get_extra_urlpatterns(self):
        return [self.extra_path("<int:pk>/", audit_log.AuditEntryDetailView, "detail")]


def all_viewsets() -> list:
    return [
        HouseholdViewSet(),
        MemberViewSet(),
        ItemViewSet(),
        AgencyViewSet(),
        AuditEntryViewSet(),
    ]
