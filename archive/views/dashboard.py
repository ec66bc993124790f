"""Dashboard (Wagtail home): what lies in the user's jurisdiction and what waits for review."""

from __future__ import annotations

from django.urls import reverse
from wagtail.admin.site_summary import SummaryItem
from wagtail.admin.ui.components import Component

from archive.models import Household, Item


def jurisdiction_counts(user) -> dict:
    households = Household.objects.visible_to(user)
    items = Item.objects.visible_to(user)
    return {
        "households": households.count(),
        "items": items.count(),
        "review": items.filter(status=Item.Status.REVIEW).count(),
        "attention": items.filter(status=Item.Status.ATTENTION).count(),
    }


class _CountSummaryItem(SummaryItem):
    template_name = "archive/dashboard/summary_item.html"
    permission = ""
    label = ""
    icon = ""
    key = ""
    url_name = ""
    query = ""

    def is_shown(self):
        return self.request.user.has_perm(self.permission)

    def get_context_data(self, parent_context):
        counts = getattr(self.request, "_hedang_counts", None)
        if counts is None:
            counts = self.request._hedang_counts = jurisdiction_counts(self.request.user)
        return {
            "count": counts[self.key],
            "label": self.label,
            "icon": self.icon,
            "url": reverse(self.url_name) + self.query,
        }


class HouseholdsSummaryItem(_CountSummaryItem):
    order = 10
    permission = "archive.view_household"
    label = "户"
    icon = "home"
    key = "households"
    url_name = "archive_household:index"


class ItemsSummaryItem(_CountSummaryItem):
    order = 20
    permission = "archive.view_item"
    label = "件"
    icon = "doc-full"
    key = "items"
    url_name = "archive_item:index"


class ReviewSummaryItem(_CountSummaryItem):
    order = 30
    permission = "archive.view_item"
    label = "件待确认"
    icon = "warning"
    key = "review"
    url_name = "archive_item:index"
    query = "?status=review"


class JurisdictionPanel(Component):
    """我的机构: the user's agency, role and the counts of its jurisdiction."""

    name = "hedang_jurisdiction"
    order = 10
    template_name = "archive/dashboard/jurisdiction_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        user = self.request.user
        agency = user.agency
        counts = getattr(self.request, "_hedang_counts", None) or jurisdiction_counts(user)
        return {
            "user": user,
            "agency": agency,
            "scope": _scope_text(user),
            "roles": list(user.groups.values_list("name", flat=True)),
            "counts": counts,
            "can_items": user.has_perm("archive.view_item"),
            "can_households": user.has_perm("archive.view_household"),
            "items_url": reverse("archive_item:index"),
            "households_url": reverse("archive_household:index"),
        }


def _scope_text(user) -> str:
    if user.is_superuser:
        return "全省（系统管理员）"
    agency = user.agency
    if agency is None:
        return "未分配核对机构，看不到任何户"
    if agency.level == agency.Level.PROVINCE:
        return "全省"
    if agency.level == agency.Level.CITY:
        return f"{agency.region_name}及所辖县（市、区）"
    return agency.region_name


def add_summary_items(request, items: list) -> None:
    items.extend(
        [HouseholdsSummaryItem(request), ItemsSummaryItem(request), ReviewSummaryItem(request)]
    )


def add_panels(request, panels: list) -> None:
    panels.append(JurisdictionPanel(request))
