"""高拍仪采集: pages captured with a document camera in the browser, sent as one item.

GET is the capture page (live preview, capture, reorder, delete; the JavaScript is in the
template). POST takes the page images in the order shown, checks every one, joins them into
one PDF (ingest.stacks) and hands it to the ingest pipeline as one document of a
``Batch.Source.CAMERA`` batch; it answers JSON for the page's XMLHttpRequest.

Everything is checked before anything is written: a refused request leaves no batch, no
document and no stored file. Permission, household look-up and audit as on 采集上传
(ingest.views.upload).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import TooManyFilesSent
from django.db import transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone

from archive.masking import shown_id_number
from archive.models import Household
from archive.views.access import get_visible_or_deny
from ingest import pipeline, scanprep, sniff
from ingest.forms import UploadForm, record_denied_household
from ingest.intake import Incoming, intake
from ingest.models import Batch, Station
from ingest.stacks import join_page_images
from ingest.views.common import IngestView, batch_url

# Under Django's DATA_UPLOAD_MAX_NUMBER_FILES (100), so the count is refused with our message.
MAX_PAGES = 80
# A 12-megapixel camera frame is 2–6 MB as JPEG; more than this is not a camera frame.
MAX_PAGE_BYTES = 25 * 1024 * 1024
HOUSEHOLD_NOT_FOUND = "未找到该户，或该户不在您的辖区内"
HOUSEHOLD_HELP = "可不填：系统从采集的页面中识别身份证号、报告编号等，自动归入对应的户。"


class CaptureRefused(Exception):
    """The capture cannot be taken; ``str(exc)`` is the reason shown to the user."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class CameraForm(UploadForm):
    """The upload form's household (by head ID), category and subtype, plus the station.

    The pages travel as files of their own (``pages``), not through this form.
    """

    station = forms.ModelChoiceField(
        label="扫描站点",
        queryset=Station.objects.none(),
        required=False,
        empty_label="（不指定）",
        help_text="可不填。选择后，未填写的户、类别和子类取该站点的默认值。",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["files"]
        self.fields["household_id_number"].help_text = HOUSEHOLD_HELP
        self.fields["station"].queryset = Station.objects.visible_to(user).filter(active=True)


class CameraCaptureView(IngestView):
    template_name = "scanning/camera.html"
    page_title = "高拍仪采集"
    header_icon = "image"
    model = Batch
    crumbs = (("ingest:batches", "采集批次"),)

    def get(self, request, *args, **kwargs):
        self.household = self._household(request, request.GET.get("household"))
        return super().get(request, *args, **kwargs)

    def _household(self, request: HttpRequest, pk: str | None) -> Household | None:
        """The household named by pk (404, recorded, when outside the jurisdiction)."""
        if not pk:
            return None
        return get_visible_or_deny(request, Household, pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        household = self.household
        context.update(
            form=CameraForm(user=user),
            household=household,
            household_id_shown=(
                shown_id_number(user, household.head_id_number) if household else ""
            ),
            agency=user.agency,
            max_pages=MAX_PAGES,
            max_page_mb=MAX_PAGE_BYTES // (1024 * 1024),
            batches_url=reverse("ingest:batches"),
            upload_url=reverse("ingest:upload"),
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            batch = self._take(request)
        except CaptureRefused as refusal:
            return JsonResponse({"error": str(refusal)}, status=refusal.status)
        documents = list(batch.documents.order_by("pk"))
        pages = len(request.FILES.getlist("pages"))
        messages.success(request, f"已提交高拍仪采集的 {pages} 页，合为一个文件进入处理。")
        return JsonResponse(
            {
                "batch": batch.pk,
                "url": batch_url(batch),
                "pages": pages,
                "documents": [
                    {"name": d.original_name, "status": d.status, "error": d.error}
                    for d in documents
                ],
            },
            status=201,
        )

    def _take(self, request: HttpRequest) -> Batch:
        user = request.user
        try:
            household = self._household(request, request.POST.get("household"))
        except Http404:
            raise CaptureRefused(HOUSEHOLD_NOT_FOUND, status=404) from None
        form = CameraForm(request.POST, user=user)
        if not form.is_valid():
            if form.denied_household_id is not None:
                record_denied_household(request, form, field="household_id_number")
                raise CaptureRefused(HOUSEHOLD_NOT_FOUND, status=404)
            raise CaptureRefused(_form_errors(form))
        if user.agency_id is None:
            raise CaptureRefused("您的账号未分配核对机构，不能提交文件")
        images, names = read_pages(request)
        pdf, checked = join_checked(images, names)
        station = form.cleaned_data.get("station")
        return submit_capture(
            user,
            pdf,
            pages=len(images),
            household=household or form.household,
            category=form.cleaned_data.get("category") or "",
            subtype=form.cleaned_data.get("subtype"),
            station=station,
            checked=checked,
        )


def _form_errors(form: forms.Form) -> str:
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts += [f"{label}：{e}" if label else e for e in errors]
    return "；".join(parts)


def read_pages(request: HttpRequest) -> tuple[list[bytes], list[str]]:
    """The posted page images in their order, or CaptureRefused for a count or size too big."""
    try:
        uploads = request.FILES.getlist("pages")
    except TooManyFilesSent:
        raise CaptureRefused(f"页数过多：一次最多 {MAX_PAGES} 页，请分几次提交") from None
    if not uploads:
        raise CaptureRefused("没有采集的页面：请先拍摄至少一页")
    if len(uploads) > MAX_PAGES:
        raise CaptureRefused(f"页数过多：{len(uploads)} 页，一次最多 {MAX_PAGES} 页")
    images, names = [], []
    for number, upload in enumerate(uploads, start=1):
        if upload.size > MAX_PAGE_BYTES:
            raise CaptureRefused(
                f"第 {number} 页过大：{upload.size // 1048576} MB，"
                f"每页上限 {MAX_PAGE_BYTES // 1048576} MB"
            )
        images.append(upload.read())
        names.append(f"第 {number} 页")
    return images, names


def join_checked(images: list[bytes], names: list[str]) -> tuple[bytes, sniff.Sniffed]:
    """One PDF of the pages, each image checked as the pipeline checks a file (type from the
    bytes, whole, not a decompression bomb), so the pipeline cannot refuse it afterwards; with
    what the check found in the PDF, handed on so the pipeline does not check it again."""
    limits = pipeline.limits()
    try:
        for data, name in zip(images, names, strict=True):
            if sniff.media_type_of(data) not in (sniff.JPEG, sniff.PNG):
                raise sniff.Rejected(f"{name}不是 JPEG 或 PNG 图像")
            sniff.sniff(name, data, limits)
        pdf = join_page_images(images, names, a4_frames=True)
        checked = sniff.sniff("capture.pdf", pdf, limits)
    except sniff.Rejected as exc:
        raise CaptureRefused(f"无法接收：{exc}") from None
    # A frame is taken to show an A4 page: a camera too coarse for 200 dpi on it is refused
    # here, with the rule, rather than as a rejected document in the batch.
    if low := scanprep.refusal(pdf, sniff.PDF):
        raise CaptureRefused(f"分辨率不足（DA/T 31-2017）：{low}。请提高高拍仪的拍摄分辨率")
    return pdf, checked


def submit_capture(
    user,
    pdf: bytes,
    *,
    pages: int,
    household: Household | None,
    category: str,
    subtype,
    station: Station | None,
    checked: sniff.Sniffed | None = None,
) -> Batch:
    """The batch and its one document, through ingest.intake as every upload.

    A station fills in what the form left empty, as its hot folder would. ``checked``: what
    :func:`join_checked` found in these bytes, so the pipeline does not check them again.
    """
    name = f"高拍仪采集-{timezone.localtime():%Y%m%d-%H%M%S}.pdf"
    with transaction.atomic():  # all or nothing: no batch without its document
        return intake(
            [Incoming(name, pdf, checked=checked)],
            source=Batch.Source.CAMERA,
            agency=user.agency,
            user=user,
            station=station,
            household=household,
            category=category,
            subtype=subtype,
            detail={"pages": pages, "station": station.pk if station else None},
        ).batch
