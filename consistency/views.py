"""Staff pages: open discrepancies (page region beside the electronic value) with their
resolution, the fixity status, and the 四性 report of an item, a box or a year.

Every page: the jurisdiction rule (``visible_to``; outside it 404, recorded), ID masking, an
operation-log entry for views that show records.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from archive import audit
from archive.masking import shown_id_number
from archive.models import Box, Item
from archive.views.access import audited_access, get_visible_or_deny, require_permission
from consistency import fixity, fourprops
from consistency.compare import FIELD_LABELS
from consistency.models import Discrepancy, FixityRun
from consistency.resolve import ResolutionError, resolve

VIEW_PERM = "consistency.view_discrepancy"
RESOLVE_PERM = "consistency.resolve_discrepancy"


def _shown(user, d: Discrepancy, value: str) -> str:
    return shown_id_number(user, value) if d.field == "id_number" else value


@audited_access
def discrepancy_list(request):
    require_permission(request, Discrepancy, "view")
    status = request.GET.get("status", "open")
    rows = Discrepancy.objects.visible_to(request.user).select_related(
        "item__household", "paper_item", "decided_by"
    )
    if status in Discrepancy.Status.values:
        rows = rows.filter(status=status)
    if request.GET.get("item", "").isdigit():
        rows = rows.filter(item_id=int(request.GET["item"]))
    rows = list(rows.order_by("-first_seen")[:200])
    for d in rows:
        d.paper_shown = _shown(request.user, d, d.paper)
        d.electronic_shown = _shown(request.user, d, d.electronic)
        d.has_snippet = bool(d.snippet)
        d.field_label = FIELD_LABELS.get(d.field, d.field)
    audit.record(
        audit.Action.VIEW,
        request=request,
        object_type="consistency.Discrepancy",
        object_repr="纸电不一致列表",
        detail={"status": status, "shown": len(rows)},
    )
    return TemplateResponse(
        request,
        "consistency/discrepancies.html",
        {
            "header_title": "纸电不一致",
            "rows": rows,
            "status": status,
            "statuses": Discrepancy.Status.choices,
            "may_resolve": request.user.has_perm(RESOLVE_PERM),
            "alarms": fixity.open_alarms().count(),
        },
    )


@audited_access
def discrepancy_snippet(request, pk: int):
    d = get_visible_or_deny(request, Discrepancy, pk)
    if not d.snippet:
        return HttpResponse(status=404)
    return HttpResponse(bytes(d.snippet), content_type="image/png")


@audited_access
def discrepancy_resolve(request, pk: int):
    if request.method != "POST":
        return redirect("consistency:discrepancies")
    d = get_visible_or_deny(request, Discrepancy, pk, action="view")
    if not request.user.has_perm(RESOLVE_PERM):
        raise PermissionDenied
    try:
        resolve(
            d, request.POST.get("decision", ""), request.POST.get("note", ""), request.user, request
        )
    except ResolutionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已记录处理结论：{d.item}")
    return redirect("consistency:discrepancies")


@audited_access
def fixity_status(request):
    require_permission(request, FixityRun, "view")
    runs = list(FixityRun.objects.all()[:10])
    alarms = list(fixity.open_alarms()[:100])
    audit.record(
        audit.Action.VIEW,
        request=request,
        object_type="consistency.FixityRun",
        object_repr="存储校验",
        detail={"alarms": len(alarms)},
    )
    return TemplateResponse(
        request,
        "consistency/fixity.html",
        {"header_title": "存储校验（固定性检查）", "runs": runs, "alarms": alarms},
    )


@audited_access
def item_fourprops(request, pk: int):
    item = get_visible_or_deny(request, Item, pk)
    report = fourprops.item_report(item)
    audit.record(audit.Action.CHECK, item, request=request, detail={"four_properties": True})
    if request.GET.get("format") == "pdf":
        return _pdf(
            fourprops.pdf_report([item], f"四性检测报告 {item}"), f"fourprops-{item.pk}.pdf"
        )
    props = [report[key] for key, _ in fourprops.PROPERTIES]
    return TemplateResponse(
        request,
        "consistency/fourprops.html",
        {
            "header_title": f"四性检测：{item}",
            "item": item,
            "props": props,
            "item_url": reverse("archive_item:detail", args=(item.pk,)),
        },
    )


@audited_access
def fourprops_pdf(request):
    """The 四性 report of a box (?box=ID) or of a year (?year=YYYY) of the user's items."""
    require_permission(request, Item, "view")
    items = Item.objects.visible_to(request.user).exclude(status=Item.Status.DESTROYED)
    if request.GET.get("box"):
        box = get_visible_or_deny(request, Box, request.GET["box"])
        items, title = items.filter(box=box), f"四性检测报告 {box}"
    elif request.GET.get("year", "").isdigit():
        year = int(request.GET["year"])
        items, title = items.filter(year=year), f"四性检测报告 {year} 年度"
    else:
        return HttpResponse(
            "请指定档案盒（box）或年度（year）",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    items = list(items.order_by("archive_number")[:2000])
    audit.record(
        audit.Action.EXPORT,
        request=request,
        object_type="archive.Item",
        object_repr=title,
        detail={"items": len(items)},
    )
    return _pdf(fourprops.pdf_report(items, title), "fourprops.pdf")


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
