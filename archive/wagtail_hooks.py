"""Registers the staff admin with Wagtail: viewsets (menu items and URLs) and dashboard panels."""

from __future__ import annotations

from wagtail import hooks

from archive.views import dashboard
from archive.viewsets import all_viewsets


@hooks.register("register_admin_viewset")
def register_archive_viewsets():
    return all_viewsets()


@hooks.register("construct_homepage_summary_items")
def archive_summary_items(request, items):
    dashboard.add_summary_items(request, items)


@hooks.register("construct_homepage_panels")
def archive_home_panels(request, panels):
    dashboard.add_panels(request, panels)
