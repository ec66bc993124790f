"""入户核查 evidence: upload the home visit's photos (and video) onto its 入户核查表 item.

GET shows what is attached (PHOTO/VIDEO files, described in ``item.fields["home_visit_media"]``)
with download links, and the rules; POST checks
the whole set and stores it, or refuses it naming every broken rule (nothing stored then).
Needs archive.change_item; items outside the user's jurisdiction answer 404 (recorded).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from archive.models import Item
from archive.views.access import AuditedAccessMixin, get_visible_or_deny
from scanning import media


class HomeVisitMediaView(AuditedAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "scanning/home_visit_media.html"
    header_icon = "image"

    def dispatch(self, request, *args, **kwargs):
        action = "change" if request.method == "POST" else "view"
        self.item = get_visible_or_deny(request, Item, kwargs["pk"], action=action)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"入户照片和视频：{self.item}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("archive_item:detail", args=(self.item.pk,)), "label": str(self.item)},
            {"url": "", "label": "入户照片和视频"},
        ]

    def post(self, request, *args, **kwargs):
        photos = request.FILES.getlist("photos")
        video = request.FILES.get("video")
        try:
            files = media.attach_home_visit_media(self.item, photos, video, user=request.user)
        except media.HomeVisitMediaError as refusal:
            self.problems = refusal.problems
            return self.get(request, *args, status=400, **kwargs)
        messages.success(request, f"已保存 {len(files)} 个文件。")
        return redirect("scanning:home_visit_media", pk=self.item.pk)

    def get(self, request, *args, status=200, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.status_code = status
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            item=self.item,
            entries=media.entries(self.item),
            can_download=self.request.user.has_perm("archive.view_file"),
            problems=getattr(self, "problems", []),
            is_home_visit=bool(
                self.item.subtype_id and self.item.subtype.code == media.HOME_VISIT_SUBTYPE
            ),
            may_upload=self.request.user.has_perm("archive.change_item"),
        )
        return context
