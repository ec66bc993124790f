"""帮助: the 操作手册 pages and their screenshots.

The guide is public documentation, not archive data: reading it is not an operation on the
archive and writes no operation-log entry. Every logged-in admin user may read it.
"""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from staffui import manual


class ManualView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "staffui/manual.html"
    header_icon = "help"
    _show_breadcrumbs = True

    def dispatch(self, request, *args, **kwargs):
        slug = kwargs.get("slug", "index")
        self.page = manual.find(slug)
        if self.page is None:
            raise Http404("操作手册中没有这一页")
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.page.title

    def get_breadcrumbs_items(self):
        return [{"url": "", "label": "帮助"}, {"url": "", "label": self.page.title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            manual_pages=manual.pages(),
            current=self.page,
            body=mark_safe(manual.render(self.page)),  # noqa: S308 - markdown-it, html=False
        )
        return context


@require_GET
@require_admin_access
def manual_image(request, name: str):
    path = manual.image_path(name)
    if path is None:
        raise Http404("没有这张图片")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=media_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
