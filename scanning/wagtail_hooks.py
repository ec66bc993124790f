"""Registers the scanning screens with the Wagtail admin: their URLs and the 打印 menu item."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import HeaderButton

from archive.masking import may_download_originals
from ingest.views.common import INGEST_PERMISSION
from scanning.views.printing import PRINT_PERMISSION


class PrintMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PRINT_PERMISSION)


@hooks.register("register_admin_urls")
def scanning_urls():
    return [path("scanning/", include("scanning.urls", namespace="scanning"))]


@hooks.register("register_admin_menu_item")
def print_menu_item():
    return PrintMenuItem(
        "打印", reverse("scanning:print_index"), name="print", icon_name="doc-full", order=160
    )


class CameraMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(INGEST_PERMISSION)


@hooks.register("register_admin_menu_item")
def camera_menu_item():
    # Next to 采集上传 (150) and 采集批次 (151) of the ingest menu.
    return CameraMenuItem(
        "高拍仪采集", reverse("scanning:camera"), name="camera", icon_name="image", order=153
    )


@hooks.register("hedang_household_buttons")
def household_buttons(request, household):
    buttons = []
    if request.user.has_perm(INGEST_PERMISSION):
        url = reverse("scanning:camera") + f"?household={household.pk}"
        buttons.append(HeaderButton("高拍仪采集", url=url, icon_name="image"))
    if request.user.has_perm(PRINT_PERMISSION):
        for kind, label in (
            ("household-catalogue", "打印归档文件目录"),
            ("household-stamps", "打印归档章"),
        ):
            url = reverse("scanning:print_preview", args=(kind, household.pk))
            buttons.append(HeaderButton(label, url=url, icon_name="doc-full"))
    if request.user.has_perm("archive.add_item"):
        url = reverse("scanning:cover_sheet", args=(household.pk,))
        buttons.append(HeaderButton("打印缺件分隔页", url=url, icon_name="download"))
        url = reverse("scanning:cover_sheet_choice", args=(household.pk,))
        buttons.append(HeaderButton("打印单个子类分隔页", url=url, icon_name="doc-full"))
    return buttons


@hooks.register("hedang_item_buttons")
def item_buttons(request, item):
    buttons = []
    if request.user.has_perm("archive.view_item") and item.archive_number:
        url = reverse("scanning:item_quality", args=(item.pk,))
        buttons.append(HeaderButton("扫描质量", url=url, icon_name="view"))
    if (
        item.subtype_id
        and item.subtype.code == "RHB"
        and request.user.has_perm("archive.change_item")
    ):
        url = reverse("scanning:home_visit_media", args=(item.pk,))
        buttons.append(HeaderButton("入户照片和视频", url=url, icon_name="image"))
    if (
        item.archive_number
        and request.user.has_perm("archive.view_file")
        and may_download_originals(request.user, item)
    ):
        url = reverse("scanning:export_page_images", args=(item.pk,))
        buttons.append(HeaderButton("导出页图像", url=url, icon_name="download"))
    return buttons + split_buttons(request, item)


@hooks.register("hedang_review_item_buttons")
def split_buttons(request, item):
    """确认拆分 for a stack the sheets could not split on their own (scanning.split)."""
    from scanning.split import splittable

    if request.user.has_perm("archive.change_item") and splittable(item):
        url = reverse("scanning:split", args=(item.pk,))
        return [HeaderButton("确认拆分", url=url, icon_name="doc-full")]
    return []
