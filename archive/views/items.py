"""件: the items list, an item's page (catalogue data, files, page text) and file downloads."""

from __future__ import annotations

import mimetypes

import django_filters
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, NumberColumn

from archive import audit
from archive.categories import Category
from archive.models import File, Item, Page
from archive.scoping import can_see
from archive.storage import open_blob
from archive.views.access import audited_access, get_visible_or_deny
from archive.views.generic import ScopedDetailView, ScopedIndexView
from archive.views.hooks import extra_buttons
from archive.views.households import _agencies_for, household_url


class ItemFilterSet(WagtailFilterSet):
    category = django_filters.ChoiceFilter(label="材料类别", choices=Category.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=Item.Status.choices)
    agency = django_filters.ModelChoiceFilter(
        label="核对机构", queryset=_agencies_for, empty_label="全部"
    )
    year = django_filters.NumberFilter(label="形成年度")

    class Meta:
        model = Item
        fields = ["category", "status", "agency", "year"]


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
            can_download=user.has_perm("archive.view_file"),
            form=item.fields.get("form") or {},
            page_images=File.objects.visible_to(user)
            .filter(item=item, role__in=IMAGE_ROLES, media_type__startswith="image/")
            .order_by("page_number", "pk"),
        )
        return context


def download_name(file: File) -> str:
    if file.original_name:
        return file.original_name
    ext = mimetypes.guess_extension(file.media_type or "") or ""
    stem = file.item.archive_number or f"item{file.item_id}"
    page = f"-{file.page_number:04d}" if file.page_number else ""
    return f"{stem}-{file.role}{page}{ext}"


IMAGE_ROLES = (File.Role.THUMBNAIL, File.Role.PAGE_IMAGE)


@audited_access
def page_image(request, pk):
    """A page's image shown inline on the item page; scoped, and logged as a view."""
    file = get_visible_or_deny(request, File, pk)
    if file.role not in IMAGE_ROLES or not file.media_type.startswith("image/"):
        raise Http404("不是页面图像")
    try:
        stream = open_blob(file.sha256)
    except (FileNotFoundError, OSError):
        raise Http404("存储中找不到该文件") from None
    audit.record(audit.Action.VIEW, file, request=request, detail={"page": file.page_number})
    return FileResponse(stream, content_type=file.media_type)


@audited_access
def download_file(request, pk):
    """Streams one stored file; scoped, and logged as a download."""
    file = get_visible_or_deny(request, File, pk)
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
