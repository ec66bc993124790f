"""The cover-sheet download behind the household page's button: one sheet for one subtype, or
one per standard subtype the household still lacks (its scanning checklist)."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from archive import audit
from archive.models import Household, Subtype
from archive.views.access import get_visible_or_deny
from scanning.coversheet import cover_sheets_pdf, missing_subtypes


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
    audit.record(
        audit.Action.PRINT,
        household,
        request=request,
        detail={"cover_sheets": [s.code for s in subtypes]},
    )
    response = HttpResponse(data, content_type="application/pdf")
    name = f"cover-{household.pk}-{subtypes[0].code if value else 'missing'}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def cover_sheet_url(household: Household, subtype: Subtype | None = None) -> str:
    from django.urls import reverse

    url = reverse("scanning:cover_sheet", args=(household.pk,))
    return f"{url}?subtype={subtype.code}" if subtype else url
