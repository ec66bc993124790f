"""件: the items list, an item's page (catalogue data, files, page text) and file downloads."""

from __future__ import annotations

import io
import mimetypes

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property
from PIL import Image, ImageOps
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, NumberColumn

from archive import audit
from archive.categories import Category
from archive.masking import may_download_originals
from archive.models import File, Item, Page, Subtype
from archive.models.item_fields import provenance_labels
from archive.scoping import can_see
from archive.storage import open_blob
from archive.views.access import audited_access, get_visible_or_deny, record_denied
from archive.views.generic import ScopedDetailView, ScopedIndexView
from archive.views.hooks import extra_buttons
from archive.views.households import agencies_for, household_url


class ItemFilterSet(WagtailFilterSet):
    category = django_filters.ChoiceFilter(label="材料类别", choices=Category.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=Item.Status.choices)
    agency = django_filters.ModelChoiceFilter(
        label="核对机构", queryset=agencies_for, empty_label="全部"
    )
    subtype = django_filters.ModelChoiceFilter(
        label="子类", queryset=Subtype.objects.order_by("category", "order"), empty_label="全部"
    )
    year = django_filters.NumberFilter(label="形成年度")

    class Meta:
        model = Item
        fields = ["category", "subtype", "status", "agency", "year"]


def item_url(item) -> str:
    return reverse("archive_item:detail", args=(item.pk,))


class ItemIndexView(ScopedIndexView):
    page_title = "件"
    search_fields = ["title", "archive_number", "document_number"]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("subtype", "household")

    @cached_property
    def columns(self):
        return [
            self.title_column(
                "archive_number",
                "档号",
                accessor=lambda i: i.archive_number or "（待归档）",
                sort_key="archive_number",
            ),
            Column("title", label="题名", accessor="title", sort_key="title"),
            Column("category", label="材料类别", accessor="get_category_display"),
            Column("subtype", label="子类", accessor="subtype.name"),
            Column("household", label="户", accessor=lambda i: i.household or "—"),
            Column(
                "formation_date",
                label="形成日期",
                accessor="formation_date",
                sort_key="formation_date",
            ),
            NumberColumn("page_count", label="页数", sort_key="page_count"),
            Column("status", label="状态", accessor="get_status_display", sort_key="status"),
        ]


CATALOGUE = [
    ("序号", "item_number"),
    ("档号", "archive_number"),
    ("文号", "document_number"),
    ("责任者", "responsible"),
    ("题名", "title"),
    ("日期", "formation_date"),
    ("密级", "security_level"),
    ("页数", "page_count"),
    ("备注", "remarks"),
]


class ItemDetailView(ScopedDetailView):
    model = Item
    template_name = "archive/item_detail.html"

    def get_page_title(self):
        return self.object.archive_number or f"（待归档）{self.object.title}"

    @cached_property
    def header_buttons(self):
        return extra_buttons("hedang_item_buttons", self.request, self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        item = self.object
        household = item.household
        if household is not None and not can_see(user, household):
            household = None
        context.update(
            item=item,
            catalogue=[(label, getattr(item, field)) for label, field in CATALOGUE],
            household=household,
            household_url=household_url(household) if household else "",
            files=File.objects.visible_to(user)
            .filter(item=item)
            .order_by("role", "page_number", "pk"),
            pages=Page.objects.visible_to(user).filter(item=item).order_by("number"),
            can_download=user.has_perm("archive.view_file") and may_download_originals(user, item),
            form=item.fields.get("form") or {},
            page_images=File.objects.visible_to(user)
            .filter(item=item, role__in=IMAGE_ROLES, media_type__startswith="image/")
            .order_by("page_number", "pk"),
            home_visit=home_visit_media(item, user),
            provenance=provenance_labels(item.fields),
            # ingest.knownnames: name cells replaced by the known member's name.
            matched_names=[
                n
                for n in (item.fields.get("form") or {}).get("names", [])
                if n.get("source") == "matched"
            ],
        )
        return context


# scanning.media keeps what it read from each photo and video (EXIF, resolution, duration)
# here, keyed by file id; archive only reads it.
HOME_VISIT_FIELD = "home_visit_media"
EVIDENCE_ROLES = (File.Role.PHOTO, File.Role.VIDEO)


def home_visit_media(item: Item, user) -> list[dict]:
    """The item's home-visit photos and video with what was read from them, in upload order."""
    described = {e.get("file_id"): e for e in item.fields.get(HOME_VISIT_FIELD, [])}
    files = File.objects.visible_to(user).filter(item=item, role__in=EVIDENCE_ROLES).order_by("pk")
    shown = []
    for file in files:
        entry = described.get(file.pk, {})
        width, height = entry.get("width", 0), entry.get("height", 0)
        shown.append(
            {
                "file": file,
                "is_photo": file.role == File.Role.PHOTO,
                "name": download_name(file),
                "size": f"{width}×{height}" if width and height else "",
                "megapixels": round(width * height / 1_000_000, 1),
                "short_side": min(width, height),
                "metadata": entry.get("metadata", {}),
            }
        )
    return shown


def download_name(file: File) -> str:
    if file.role in EVIDENCE_ROLES:
        return evidence_name(file)
    if file.original_name:
        return file.original_name
    ext = mimetypes.guess_extension(file.media_type or "") or ""
    stem = file.item.archive_number or f"item{file.item_id}"
    page = f"-{file.page_number:04d}" if file.page_number else ""
    return f"{stem}-{file.role}{page}{ext}"


def evidence_name(file: File) -> str:
    """``<档号>-入户照片02.jpg``: 档号 + sequence, as scanning.media names them when storing
    (the camera's own name, kept in ``original_name``, repeats across visits)."""
    number = File.objects.filter(item_id=file.item_id, role=file.role, pk__lte=file.pk).count()
    ext = mimetypes.guess_extension(file.media_type or "") or ""
    ext = ".jpg" if ext in (".jpe", ".jpeg") else ext
    stem = file.item.archive_number or f"item{file.item_id}"
    return f"{stem}-入户{file.get_role_display()}{number:02d}{ext}"


IMAGE_ROLES = (File.Role.THUMBNAIL, File.Role.PAGE_IMAGE)
PREVIEW_PIXELS = 480


@audited_access
def page_image(request, pk):
    """A page's image (or a home-visit photo, reduced) shown inline on the item page; scoped,
    and logged as a view."""
    file = get_visible_or_deny(request, File, pk)
    if file.role not in (*IMAGE_ROLES, File.Role.PHOTO) or not file.media_type.startswith("image/"):
        raise Http404("不是页面图像")
    try:
        stream = open_blob(file.sha256)
    except (FileNotFoundError, OSError):
        raise Http404("存储中找不到该文件") from None
    audit.record(audit.Action.VIEW, file, request=request, detail={"page": file.page_number})
    if file.role == File.Role.PHOTO:
        with stream:
            return HttpResponse(photo_preview(stream.read()), content_type="image/jpeg")
    return FileResponse(stream, content_type=file.media_type)


def photo_preview(data: bytes) -> bytes:
    """A small JPEG of a 12-megapixel photo: the page lists several, the full file is a
    download away. ``draft`` lets the JPEG decoder skip most of the work."""
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (PREVIEW_PIXELS, PREVIEW_PIXELS))
        image.thumbnail((PREVIEW_PIXELS, PREVIEW_PIXELS))
        upright = ImageOps.exif_transpose(image)  # phones store portrait shots turned
        out = io.BytesIO()
        upright.convert("RGB").save(out, format="JPEG", quality=85)
    return out.getvalue()


@audited_access
def download_file(request, pk):
    """Streams one stored file; scoped, and logged as a download."""
    file = get_visible_or_deny(request, File, pk)
    if not may_download_originals(request.user, file.item):
        record_denied(request, File, pk, reason="original_access")
        raise PermissionDenied
    try:
        stream = open_blob(file.sha256)
    except (FileNotFoundError, OSError):
        raise Http404("存储中找不到该文件") from None
    audit.record(
        audit.Action.DOWNLOAD,
        file,
        request=request,
        detail={
            "item": file.item.archive_number or str(file.item_id),
            "sha256": file.sha256,
            "size": file.size,
        },
    )
    return FileResponse(
        stream,
        as_attachment=True,
        filename=download_name(file),
        content_type=file.media_type or "application/octet-stream",
    )
