"""Registers the staff UI with Wagtail: the CMS parts hidden, 帮助, 统计, 档案盒 and the
dashboard panels.

One search entry: the menu's 检索. Staff roles have no Wagtail search area, so the sidebar
shows no search box; the superuser's (Wagtail's page search) is hidden by staffui/admin.css.
"""

from __future__ import annotations

from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from archive.views.menu import PermissionMenuItem
from staffui import cms, dashboard


@hooks.register("register_admin_urls")
def staffui_urls():
    return [path("desk/", include("staffui.urls", namespace="staffui"))]


@hooks.register("construct_main_menu")
def hide_cms_menu_items(request, menu_items):
    cms.keep_menu_items(menu_items, cms.MAIN_MENU_HIDDEN)


@hooks.register("construct_settings_menu")
def hide_cms_settings(request, menu_items):
    cms.keep_menu_items(menu_items, cms.SETTINGS_MENU_HIDDEN)


@hooks.register("construct_reports_menu")
def hide_cms_reports(request, menu_items):
    # Wagtail's page reports go; reports other apps register stay (the submenu shows when any).
    cms.keep_menu_items(menu_items, cms.REPORTS_MENU_HIDDEN)


@hooks.register("construct_homepage_summary_items", order=100)
def hide_cms_summary(request, items):
    cms.keep_by_class(items, cms.HOMEPAGE_SUMMARY_HIDDEN)


@hooks.register("construct_homepage_panels", order=100)
def hide_cms_panels(request, panels):
    cms.keep_by_class(panels, cms.HOMEPAGE_PANELS_HIDDEN)
    panels.extend([dashboard.WorklistPanel(request), dashboard.FiguresPanel(request)])


@hooks.register("hedang_worklist")
def archive_worklist(request):
    return dashboard.archive_worklist(request)


@hooks.register("register_admin_menu_item")
def manual_menu_item():
    return MenuItem(
        "帮助", reverse("staffui:manual_index"), name="manual", icon_name="help", order=100000
    )


@hooks.register("register_admin_menu_item")
def statistics_menu_item():
    return PermissionMenuItem(
        "统计",
        reverse("staffui:statistics"),
        name="statistics",
        icon_name="table",
        order=170,
        permission="archive.view_item",
    )


@hooks.register("insert_global_admin_js")
def staffui_js():
    return format_html('<script src="{}" defer></script>', static("staffui/admin.js"))


@hooks.register("insert_global_admin_css")
def staffui_css():
    return format_html('<link rel="stylesheet" href="{}">', static("staffui/admin.css"))


@hooks.register("register_admin_menu_item")
def boxes_menu_item():
    return PermissionMenuItem(
        "档案盒",
        reverse("staffui:box_index"),
        name="boxes",
        icon_name="folder",
        order=158,
        permission="archive.view_box",
    )
