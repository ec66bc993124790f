"""Registers the ingest screens with the Wagtail admin: URLs, menu items, the station viewset.

Menu: 采集上传 and 采集批次 (archive.add_item), 待确认 (archive.change_item), 扫描站点
(archivists; see ingest.views.stations).
"""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from ingest import urls
from ingest.models import Station
from ingest.views.common import INGEST_PERMISSION, REVIEW_PERMISSION
from ingest.views.stations import StationPermissionPolicy, StationViewSet

register_permission_policy(Station, StationPermissionPolicy(Station))


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_urls")
def ingest_urls():
    return [path("ingest/", include(urls, namespace="ingest"))]


@hooks.register("register_admin_menu_item")
def upload_menu_item():
    return PermissionMenuItem(
        "采集上传",
        reverse("ingest:upload"),
        name="ingest-upload",
        icon_name="upload",
        order=150,
        permission=INGEST_PERMISSION,
    )


@hooks.register("register_admin_menu_item")
def batches_menu_item():
    return PermissionMenuItem(
        "采集批次",
        reverse("ingest:batches"),
        name="ingest-batches",
        icon_name="clipboard-list",
        order=151,
        permission=INGEST_PERMISSION,
    )


@hooks.register("register_admin_menu_item")
def review_menu_item():
    return PermissionMenuItem(
        "待确认",
        reverse("ingest:review_queue"),
        name="ingest-review",
        icon_name="tasks",
        order=152,
        permission=REVIEW_PERMISSION,
    )


@hooks.register("register_admin_viewset")
def station_viewset():
    return StationViewSet()


@hooks.register("hedang_metrics")
def metrics():
    from ingest.metrics import ingest_metrics

    return ingest_metrics()
