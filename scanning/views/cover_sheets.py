"""The cover-sheet download behind the household page's buttons: one sheet for one subtype, or
one per standard subtype the household still lacks (its scanning checklist), and the page
that lists the checklist with a single-subtype button per row."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from archive.categories import Category
from archive.models import Household, Item, Subtype
from archive.views.access import AuditedAccessMixin, get_visible_or_deny, require_permission
from ingest.review import usable_subtypes
from scanning.coversheet import cover_sheets_pdf, missing_subtypes
from scanning.views.printing import record_print_once


def cover_sheet(request, pk: int):
    """GET ?subtype=RHB (code or name) → that sheet; no subtype → the checklist's sheets."""
    household = get_visible_or_deny(request, Household, pk)
    value = request.GET.get("subtype", "").strip()
    if value:
        subtype = (
            Subtype.objects.filter(code=value.upper()).first()
            or Subtype.objects.filter(name=value).first()
        )
        if subtype is None:
            raise Http404("没有这个子类")
        subtypes = [subtype]
    else:
        subtypes = missing_subtypes(household)
        if not subtypes:
            raise Http404("该户的标准子类都已有件")
    data = cover_sheets_pdf((household, s) for s in subtypes)
    codes = [s.code for s in subtypes]
    record_print_once(
        request, household, {"form": "cover-sheets:" + ",".join(codes), "cover_sheets": codes}
    )
    response = HttpResponse(data, content_type="application/pdf")
    name = f"cover-{household.pk}-{subtypes[0].code if value else 'missing'}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def cover_sheet_url(household: Household, subtype: Subtype | None = None) -> str:
    url = reverse("scanning:cover_sheet", args=(household.pk,))
    return f"{url}?subtype={subtype.code}" if subtype else url


class CoverSheetChoiceView(AuditedAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """分隔页: the household's checklist (which subtypes it has, which are missing) with a
    button per subtype for its single separator sheet, beside the missing-items button."""

    template_name = "scanning/cover_sheets.html"
    header_icon = "doc-full"

    def get(self, request, *args, **kwargs):
        require_permission(request, Item, "add", kwargs["pk"])
        self.household = get_visible_or_deny(request, Household, kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return f"分隔页：{self.household}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        household = self.household
        missing = {s.pk for s in missing_subtypes(household)}
        rows = []
        for value, label in Category.choices:
            subtypes = usable_subtypes(household.agency).filter(category=value).exclude(code="")
            rows.append(
                (
                    label,
                    [
                        {
                            "subtype": s,
                            "missing": s.pk in missing,
                            "url": cover_sheet_url(household, s),
                        }
                        for s in subtypes
                    ],
                )
            )
        context.update(
            household=household,
            categories=rows,
            missing_count=len(missing),
            missing_url=cover_sheet_url(household),
            household_url=reverse("archive_household:detail", args=(household.pk,)),
        )
        return context
