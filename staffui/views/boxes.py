"""档案盒 screens: the classes waiting for a box, a box's page (put items in, details, print).

Boxes are looked up through ``get_visible_or_deny`` (404 and a 越权访问 entry outside the
jurisdiction); creating a box and putting items in are logged by staffui.boxes; opening a box
writes a 查看 entry.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from archive import audit
from archive.models import Box, Item
from archive.views.access import AuditedAccessMixin, get_visible_or_deny, require_permission
from staffui import boxes

PRINT_FORMS = (
    ("box-spine", "打印盒脊"),
    ("box-notes", "打印备考表"),
    ("box-catalogue", "打印盒内目录"),
)


class BoxIndexView(AuditedAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "staffui/box_index.html"
    page_title = "档案盒"

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": "首页"},
            {"url": "", "label": self.page_title},
        ]

    header_icon = "folder"
    model = Box

    def get(self, request, *args, **kwargs):
        require_permission(request, Box, "view")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        require_permission(request, Box, "add")
        try:
            box = boxes.create_box(request.user, request.POST.get("class_key", ""), request=request)
        except boxes.BoxError as exc:
            messages.error(request, str(exc))
            return redirect("staffui:box_index")
        messages.success(request, f"已新建{box}")
        return redirect("staffui:box", pk=box.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            classes=boxes.unboxed_classes(user) if user.has_perm("archive.view_item") else [],
            boxes=Box.objects.visible_to(user)
            .select_related("agency")
            .order_by("-year", "class_key", "box_number")[:300],
            may_add=user.has_perm("archive.add_box"),
        )
        return context


class BoxDetailView(AuditedAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "staffui/box_detail.html"
    header_icon = "folder"
    model = Box

    def get_page_title(self):
        return str(self.box)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": "首页"},
            {"url": reverse("staffui:box_index"), "label": "档案盒"},
            {"url": "", "label": str(self.box)},
        ]

    def get(self, request, *args, **kwargs):
        self.box = get_visible_or_deny(request, Box, kwargs["pk"])
        audit.record(audit.Action.VIEW, self.box, request=request)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.box = get_visible_or_deny(request, Box, kwargs["pk"], action="change")
        action = request.POST.get("action")
        try:
            if action == "put":
                self._put(request)
            elif action == "details":
                self._details(request)
            else:
                raise boxes.BoxError("未知的操作")
        except boxes.BoxError as exc:
            messages.error(request, str(exc))
        return redirect("staffui:box", pk=self.box.pk)

    def _put(self, request):
        ids = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
        first, last = request.POST.get("first", "").strip(), request.POST.get("last", "").strip()
        if first or last:
            if not (first.isdigit() and last.isdigit()):
                raise boxes.BoxError("起止件号应为正整数")
            ids += boxes.items_in_range(request.user, self.box, int(first), int(last))
        added = boxes.put_items(request.user, self.box, ids, request=request)
        messages.success(request, f"已装入 {added} 件")

    def _details(self, request):
        box = self.box
        before = {
            f: str(getattr(box, f) or "")
            for f in ("arranged_by", "checked_by", "arranged_on", "notes")
        }
        box.arranged_by = request.POST.get("arranged_by", "").strip()[:50]
        box.checked_by = request.POST.get("checked_by", "").strip()[:50]
        box.notes = request.POST.get("notes", "").strip()
        raw_date = request.POST.get("arranged_on", "").strip()
        try:
            box.arranged_on = dt.date.fromisoformat(raw_date) if raw_date else None
        except ValueError:
            raise boxes.BoxError("整理日期应为 年-月-日，例如 2024-03-06") from None
        with audit.model_entries_suppressed():  # one entry below, naming what changed
            box.save(update_fields=["arranged_by", "checked_by", "arranged_on", "notes"])
        after = {f: str(getattr(box, f) or "") for f in before}
        changed = {f: [before[f], after[f]] for f in before if before[f] != after[f]}
        audit.record(audit.Action.CHANGE, box, request=request, detail={"changed": changed})
        messages.success(request, "已保存备考信息")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, box = self.request.user, self.box
        inside = Item.objects.visible_to(user).filter(box=box).order_by("item_number")
        waiting = boxes.unboxed(user).filter(class_key=box.class_key).order_by("item_number")
        context.update(
            box=box,
            inside=inside,
            inside_heading=f"盒内的件（{inside.count()} 件）",
            waiting=waiting[:500],
            may_change=user.has_perm("archive.change_box"),
            print_links=[
                (label, reverse("scanning:print_preview", args=(kind, box.pk)))
                for kind, label in PRINT_FORMS
            ],
        )
        return context
