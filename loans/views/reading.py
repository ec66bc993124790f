"""电子阅览: the page viewer (page through, zoom, OCR text beside), and watermarked download
and print. Each open, page turn, download, print and refusal is recorded (loans.reading)."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin

from archive.api.fields import mask_ids_in
from archive.masking import may_see_full_ids, shown_id_number
from archive.models import Item
from archive.views.access import audited_access, record_denied
from loans import reading
from loans.models import ReadingEvent
from loans.views.common import LoansPage


def readable_item(request, pk) -> tuple[Item, reading.Access]:
    """The item and the ground on which this user may read it; refusals recorded.

    An item the user can neither see by jurisdiction nor holds a loan for answers 404, like
    one that does not exist; one they can see but may not read answers 403.
    """
    item = Item.objects.filter(pk=pk).select_related("household").first()
    if item is None:
        record_denied(request, Item, pk, reason="out_of_scope_or_missing")
        raise Http404("未找到该件")
    access = reading.access_for(request.user, item)
    if access.allowed:
        return item, access
    reading.record(request, item, ReadingEvent.Kind.REFUSED, reason=access.reason)
    if not Item.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404("未找到该件")
    raise PermissionDenied(access.reason)


class ReaderView(LoansPage):
    template_name = "loans/reader.html"
    header_icon = "view"

    def get(self, request, *args, **kwargs):
        self.item, self.access = readable_item(request, kwargs["pk"])
        reading.record(request, self.item, ReadingEvent.Kind.VIEW, page=1, loan=self.access.loan)
        return super(LoansPage, self).get(request, *args, **kwargs)

    def get_page_title(self):
        return f"电子阅览：{self.item.archive_number}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, user = self.item, self.request.user
        count = reading.page_count(item)
        household = item.household
        context.update(
            item=item,
            loan=self.access.loan,
            pages=[
                {"number": n, "text": mask_ids_in(reading.page_text(item, n), user)}
                for n in range(1, count + 1)
            ],
            page_count=count,
            head=household.head_name if household else "",
            head_id=shown_id_number(user, household.head_id_number) if household else "",
            watermark=reading.watermark_text(user),
        )
        return context


@audited_access
def page_image(request, pk: int, number: int):
    """One page as PNG; fetching it is the page turn that is logged."""
    item, access = readable_item(request, pk)
    image = reading.page_image(item, number, mask_ids=not may_see_full_ids(request.user))
    if image is None:
        raise Http404("没有这一页")
    reading.record(request, item, ReadingEvent.Kind.PAGE, page=number, loan=access.loan)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    response = HttpResponse(out.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


def _copy(request, pk: int, kind: str):
    item, access = readable_item(request, pk)
    text = reading.watermark_text(request.user)
    try:
        data = reading.watermarked_pdf(item, text, mask_ids=not may_see_full_ids(request.user))
    except (FileNotFoundError, OSError):
        raise Http404("该件没有可阅览的文件") from None
    reading.record(request, item, kind, loan=access.loan, reason=text)
    name = f"{item.archive_number}-阅览副本.pdf"
    disposition = "attachment" if kind == ReadingEvent.Kind.DOWNLOAD else "inline"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


@audited_access
def download(request, pk: int):
    """A watermarked copy (reader, agency, time on every page); the original is untouched."""
    return _copy(request, pk, ReadingEvent.Kind.DOWNLOAD)


@audited_access
@xframe_options_sameorigin
def print_copy(request, pk: int):
    """The same watermarked copy inline, for the browser's print dialog."""
    return _copy(request, pk, ReadingEvent.Kind.PRINT)
