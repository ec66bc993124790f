"""Registers the 检索 page with the Wagtail admin: its URL and menu item (archive.view_item)."""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

PERMISSION = "archive.view_item"


class SearchMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_admin_urls")
def search_urls():
    from search.views import SearchView  # imported with the URLs, not by every process

    return [path("search/", SearchView.as_view(), name="hedang_search")]


@hooks.register("register_admin_menu_item")
def search_menu_item():
    return SearchMenuItem(
        "检索", reverse("hedang_search"), name="hedang-search", icon_name="search", order=105
    )
