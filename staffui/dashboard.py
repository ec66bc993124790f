"""The dashboard (工作台): what waits for me, and the archive's figures.

"What waits for me" gathers every ``hedang_worklist`` hook (docs/extension-points.md):
functions ``(request) -> list[dict(label, count, url, oldest?)]`` registered by ingest (review
queue, batches needing attention), loans, retention, consistency… and staffui's own (items
needing attention, filed items not yet in a box). Each hook sees only the user's jurisdiction.
"""

from __future__ import annotations

import logging

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component

from archive.models import Box, Household, Item

logger = logging.getLogger(__name__)


def worklist(request) -> list[dict]:
    """Every registered hook's entries, the non-empty first, oldest first within them."""
    entries = []
    for hook in hooks.get_hooks("hedang_worklist"):
        try:
            entries.extend(hook(request) or [])
        except Exception:  # one app's failure must not take the dashboard down
            logger.exception("hedang_worklist hook %r failed", hook)
    now = timezone.now()
    for entry in entries:
        oldest = entry.get("oldest")
        entry["age"] = age_text(now - oldest) if oldest and entry.get("count") else ""
    return sorted(entries, key=lambda e: (not e.get("count"), e.get("oldest") or now))


def age_text(delta) -> str:
    days = delta.days
    if days >= 1:
        return f"最早一件已等 {days} 天"
    hours = delta.seconds // 3600
    return f"最早一件已等 {hours} 小时" if hours else "最早一件不到 1 小时"


def archive_worklist(request) -> list[dict]:
    user = request.user
    if not user.has_perm("archive.view_item"):
        return []
    items = Item.objects.visible_to(user)
    url = reverse("archive_item:index")
    unboxed = items.filter(status=Item.Status.FILED, box__isnull=True)
    attention = items.filter(status=Item.Status.ATTENTION)
    entries = [
        {
            "label": "需处理的件",
            "count": attention.count(),
            "url": url + "?status=attention",
            "oldest": attention.order_by("updated_at").values_list("updated_at", flat=True).first(),
        },
    ]
    if user.has_perm("archive.change_item"):
        entries.append(
            {
                "label": "已归档未装盒的件",
                "count": unboxed.count(),
                "url": reverse("staffui:box_index"),
                "oldest": unboxed.order_by("filed_at").values_list("filed_at", flat=True).first(),
            }
        )
    return entries


def archive_figures(user) -> list[dict]:
    """Holdings in the user's jurisdiction: households, items, pages, boxes, this year's."""
    items = Item.objects.visible_to(user)
    year = timezone.localdate().year
    figures = items.aggregate(
        filed=Count("pk", filter=Q(status=Item.Status.FILED)),
        pages=Sum("page_count", filter=Q(status=Item.Status.FILED)),
        this_year=Count("pk", filter=Q(status=Item.Status.FILED, filed_at__year=year)),
    )
    item_url = reverse("archive_item:index")
    return [
        {
            "label": "户",
            "count": Household.objects.visible_to(user).count(),
            "url": reverse("archive_household:index"),
        },
        {"label": "已归档的件", "count": figures["filed"], "url": item_url + "?status=filed"},
        {"label": "页", "count": figures["pages"] or 0, "url": reverse("staffui:statistics")},
        {
            "label": f"{year} 年归档的件",
            "count": figures["this_year"],
            "url": reverse("staffui:statistics"),
        },
        {
            "label": "档案盒",
            "count": Box.objects.visible_to(user).count(),
            "url": reverse("staffui:box_index"),
        },
    ]


class WorklistPanel(Component):
    """等我处理: one row per hook entry, with its count, age and link."""

    name = "hedang_worklist"
    order = 5
    template_name = "staffui/dashboard/worklist_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        return {"entries": worklist(self.request)}


class FiguresPanel(Component):
    """档案概况: the archive's figures for the user's jurisdiction, with a link to 统计."""

    name = "hedang_figures"
    order = 8
    template_name = "staffui/dashboard/figures_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        user = self.request.user
        return {
            "figures": archive_figures(user) if user.has_perm("archive.view_item") else [],
            "statistics_url": reverse("staffui:statistics"),
        }
