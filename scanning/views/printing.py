"""打印: the user's boxes and households, each printable form as an inline PDF and its preview.

Every PDF served writes an Action.PRINT entry. Objects are looked up with
``get_visible_or_deny`` (404 and a DENIED entry outside the user's jurisdiction), and a
household's or box's items are limited to the user's scope as well.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from archive import audit
from archive.masking import shown_id_number
from archive.models import AuditEntry, Box, Household, Item
from archive.views.access import (
    AuditedAccessMixin,
    audited_access,
    get_visible_or_deny,
    permission_label,
    record_denied,
    require_permission,
)
from scanning import printing

PRINT_PERMISSION = permission_label(Item, "view")  # archive.view_item
CATALOGUED = (Item.Status.FILED, Item.Status.DESTROYED)


@dataclass(frozen=True)
class Form:
    label: str
    model: type
    build: Callable[..., bytes]


def household_items(request, household: Household):
    return (
        Item.objects.visible_to(request.user)
        .filter(household=household, status__in=CATALOGUED)
        .select_related("agency")
        .order_by("class_key", "item_number", "pk")
    )


def box_items(request, box: Box):
    return (
        Item.objects.visible_to(request.user)
        .filter(box=box)
        .select_related("agency")
        .order_by("item_number", "pk")
    )


def household_title(household: Household) -> str:
    return f"{household.head_name}户 归档文件目录"


FORMS: dict[str, Form] = {
    "household-catalogue": Form(
        "归档文件目录",
        Household,
        lambda r, h: printing.catalogue(household_items(r, h), household_title(h)),
    ),
    "household-stamps": Form(
        "归档章", Household, lambda r, h: printing.archive_stamp_sheet(household_items(r, h))
    ),
    "box-catalogue": Form(
        "盒内归档文件目录",
        Box,
        lambda r, b: printing.catalogue(box_items(r, b), f"归档文件目录（{b}）"),
    ),
    "box-spine": Form("盒脊", Box, lambda r, b: printing.box_spine(b)),
    "box-notes": Form("备考表", Box, lambda r, b: printing.box_notes(b)),
}


def _form_or_404(request, kind: str) -> Form:
    form = FORMS.get(kind)
    if form is None:
        record_denied(request, None, kind, reason="out_of_scope_or_missing")
        raise Http404("没有这种打印表单")
    return form


def _target(request, form: Form, pk):
    require_permission(request, Item, "view", pk)
    return get_visible_or_deny(request, form.model, pk)


@audited_access
@xframe_options_sameorigin
def print_pdf(request, kind: str, pk: int):
    """The PDF, inline (the browser's viewer prints it); ``?download=1`` saves it instead."""
    form = _form_or_404(request, kind)
    obj = _target(request, form, pk)
    data = form.build(request, obj)
    record_print_once(request, obj, {"form": kind, "label": form.label, "bytes": len(data)})
    filename = f"{form.label}-{obj}.pdf"
    disposition = "attachment" if request.GET.get("download") else "inline"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


# The browser's PDF viewer fetches the same PDF several times (the preview frame, its print
# button, 在新窗口打开, 下载): within this many seconds it is one print, and one entry.
PRINT_WINDOW_SECONDS = 120


def record_print_once(request, obj, detail: dict) -> None:
    """One 打印 entry per user, object and form within PRINT_WINDOW_SECONDS."""
    since = timezone.now() - dt.timedelta(seconds=PRINT_WINDOW_SECONDS)
    recent = AuditEntry.objects.filter(
        action=audit.Action.PRINT,
        actor_name=request.user.username,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        timestamp__gte=since,
    )
    if any(entry.detail.get("form") == detail.get("form") for entry in recent[:20]):
        return
    audit.record(audit.Action.PRINT, obj, request=request, detail=detail)


def pdf_url(kind: str, pk: int) -> str:
    return reverse("scanning:print_pdf", args=(kind, pk))


def preview_url(kind: str, pk: int) -> str:
    return reverse("scanning:print_preview", args=(kind, pk))


class PrintView(AuditedAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.template_name != PrintIndexView.template_name:
            items.append({"url": reverse("scanning:print_index"), "label": "打印"})
        items.append({"url": "", "label": self.get_page_title()})
        return items


class PrintIndexView(PrintView):
    template_name = "scanning/print_index.html"
    page_title = "打印"

    def get(self, request, *args, **kwargs):
        require_permission(request, Item, "view")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.get("q", "").strip()
        households = Household.objects.visible_to(user).select_related("agency")
        if query:
            households = households.filter(Q(head_name__contains=query) | Q(head_id_number=query))
        page = Paginator(households.order_by("-updated_at", "pk"), 25).get_page(
            self.request.GET.get("p")
        )
        context["households"] = [
            {
                "obj": h,
                "id_number": shown_id_number(user, h.head_id_number),
                "forms": [
                    (FORMS[k].label, preview_url(k, h.pk), pdf_url(k, h.pk))
                    for k in ("household-catalogue", "household-stamps")
                ],
            }
            for h in page
        ]
        context["household_page"] = page
        context["query"] = query
        boxes = []
        if user.has_perm(permission_label(Box, "view")):
            for box in Box.objects.visible_to(user).select_related("agency")[:200]:
                boxes.append(
                    {
                        "obj": box,
                        "forms": [
                            (FORMS[k].label, preview_url(k, box.pk), pdf_url(k, box.pk))
                            for k in ("box-catalogue", "box-spine", "box-notes")
                        ],
                    }
                )
        context["boxes"] = boxes
        context["may_see_boxes"] = user.has_perm(permission_label(Box, "view"))
        return context


class PrintPreviewView(PrintView):
    """The PDF in an <iframe>, with buttons to print it from the browser or download it."""

    template_name = "scanning/print_preview.html"

    def get(self, request, *args, **kwargs):
        self.form = _form_or_404(request, kwargs["kind"])
        self.obj = _target(request, self.form, kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.form.label}：{self.obj}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        url = pdf_url(self.kwargs["kind"], self.obj.pk)
        context.update(form=self.form, obj=self.obj, pdf_url=url, download_url=url + "?download=1")
        return context
