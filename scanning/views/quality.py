"""The page-quality report of an item (DA/T 31-2017): shown from the stored check, re-run on POST.

GET needs archive.view_item; running the check writes ``item.fields["page_quality"]`` and
needs archive.change_item. Items outside the user's jurisdiction answer 404 (recorded).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from archive import audit
from archive.models import Item
from archive.views.access import AuditedAccessMixin, get_visible_or_deny
from ingest import quality as checks
from scanning import quality


class ItemQualityView(AuditedAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "scanning/item_quality.html"
    header_icon = "view"

    def dispatch(self, request, *args, **kwargs):
        action = "change" if request.method == "POST" else "view"
        self.item = get_visible_or_deny(request, Item, kwargs["pk"], action=action)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"扫描质量：{self.item}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("archive_item:detail", args=(self.item.pk,)), "label": str(self.item)},
            {"url": "", "label": "扫描质量"},
        ]

    def post(self, request, *args, **kwargs):
        duplex = bool(request.POST.get("duplex"))
        result = quality.check_item(self.item, duplex=duplex)
        audit.record(
            audit.Action.CHANGE,
            self.item,
            request=request,
            detail={
                "page_quality": {
                    "duplex": duplex,
                    "refused": result["refused"],
                    "kept": result["kept"],
                    "scanned": result["scanned"],
                }
            },
        )
        if result["problems"]:
            messages.error(request, "；".join(result["problems"]))
        else:
            messages.success(request, f"已检查 {result['scanned']} 页扫描图像。")
        return redirect("scanning:item_quality", pk=self.item.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stored = self.item.fields.get("page_quality") or {}
        context.update(
            item=self.item,
            report=stored,
            pages=stored.get("pages", []),
            level_names={**checks.LEVEL_NAMES, "ok": "合格"},
            colour_names=checks.COLOUR_NAMES,
            profile=stored.get("profile") or {},
            profile_colour=checks.COLOUR_NAMES.get(
                (stored.get("profile") or {}).get("colour_mode")
            ),
            may_check=self.request.user.has_perm("archive.change_item"),
        )
        return context
