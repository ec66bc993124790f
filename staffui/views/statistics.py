"""统计: charts of the user's jurisdiction, each bar a link to its list, and the XLSX export.

Viewing the statistics writes a 查看 entry; the export writes an 导出 entry (staffui.exports).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from archive import audit
from archive.models import Item
from archive.views.access import AuditedAccessMixin, require_permission
from staffui import charts, exports, statistics

PERMISSION = "archive.view_item"


def _scope(user) -> str:
    if user.is_superuser:
        return "全省"
    return user.agency.name if user.agency_id else "（未分配机构）"


class StatisticsView(AuditedAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "staffui/statistics.html"
    page_title = "统计"

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": "首页"},
            {"url": "", "label": self.page_title},
        ]

    header_icon = "table"
    model = Item

    def get(self, request, *args, **kwargs):
        require_permission(request, Item, "view")
        stats = statistics.compute(request.user)
        if request.GET.get("format") == "xlsx":
            return exports.export_response(
                request,
                fmt="xlsx",
                name="统计",
                sheets=statistics.sheets(stats),
                what="统计",
                filters={"scope": _scope(request.user)},
            )
        audit.record(audit.Action.VIEW, request=request, object_type="统计", object_repr="统计")
        context = self.get_context_data(**kwargs)
        context.update(
            stats=stats,
            scope=_scope(request.user),
            charts=self._charts(stats),
            backlog_total=sum(bar.value for bar in stats.ocr_backlog),
        )
        return self.render_to_response(context)

    def _charts(self, stats) -> list[tuple[str, str, str]]:
        c = charts
        made = [
            (
                "按材料类别（已归档的件）",
                "by-category",
                c.hbar(stats.by_category, title="按材料类别", unit=" 件"),
            ),
            ("按子类", "by-subtype", c.hbar(stats.by_subtype, title="按子类", unit=" 件")),
            ("按形成年度", "by-year", c.hbar(stats.by_year, title="按形成年度", unit=" 件")),
            ("按核对机构", "by-agency", c.hbar(stats.by_agency, title="按核对机构", unit=" 件")),
            (
                f"近 {statistics.DAYS} 天每日扫描页数（按站点）",
                "pages-per-day",
                c.columns(stats.pages_by_station, stats.days, title="每日扫描页数"),
            ),
            (
                "识别积压",
                "ocr-backlog",
                c.hbar(stats.ocr_backlog, title="识别积压", unit=" 个文件"),
            ),
            (
                "待确认的件等待时长",
                "review-age",
                c.hbar(stats.review_age, title="待确认时长", unit=" 件"),
            ),
        ]
        # Built by staffui.charts, which escapes every text it draws.
        return [(title, key, mark_safe(svg)) for title, key, svg in made]  # noqa: S308
