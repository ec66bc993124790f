"""Registers the ingest screens with the Wagtail admin: URLs, menu items, the station viewset.

Menu: 采集上传 and 采集批次 (archive.add_item), 待确认 (archive.change_item), 扫描站点
(archivists; see ingest.views.stations).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Count
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from archive.views.menu import PermissionMenuItem
from ingest.models import Station
from ingest.views.common import INGEST_PERMISSION, REVIEW_PERMISSION
from ingest.views.stations import StationPermissionPolicy, StationViewSet

register_permission_policy(Station, StationPermissionPolicy(Station))


@hooks.register("register_admin_urls")
def ingest_urls():
    return [path("ingest/", include("ingest.urls", namespace="ingest"))]


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


@hooks.register("hedang_item_destroyed")
def forget_destroyed_items(item_ids: list[int]) -> None:
    """A destroyed item's page texts and extracted forms go with it (retention calls this in
    the destruction's transaction). A stack's document keeps them while one of its parts
    lives."""
    from archive.models import Item
    from ingest.models import Document, FormResult

    destroyed = set(item_ids)
    documents = Document.objects.filter(
        models.Q(item_id__in=destroyed) | models.Q(parts__item_id__in=destroyed)
    ).distinct()
    for document in documents:
        items = set(document.parts.values_list("item_id", flat=True)) | {document.item_id}
        items.discard(None)
        living = Item.objects.filter(pk__in=items - destroyed).exclude(status=Item.Status.DESTROYED)
        if living.exists():
            continue
        FormResult.objects.filter(document=document).delete()
        Document.objects.filter(pk=document.pk).update(page_texts=[], page_quality={})


@hooks.register("hedang_worklist")
def ingest_worklist(request) -> list[dict]:
    """What ingest has waiting for this user: the review queue (with its oldest item) and the
    batches with documents that need attention (failed OCR, unreadable files…)."""
    from django.db.models import Min

    from ingest import review

    user = request.user
    work = []
    if user.has_perm(REVIEW_PERMISSION):
        queue = review.review_queue(user).aggregate(count=Count("pk"), oldest=Min("created_at"))
        work.append(
            {
                "label": "待确认的件",
                "count": queue["count"],
                "url": reverse("ingest:review_queue"),
                "oldest": queue["oldest"],
            }
        )
    if user.has_perm(INGEST_PERMISSION):
        attention = review.attention_documents(user)
        figures = attention.aggregate(
            batches=Count("batch", distinct=True), oldest=Min("updated_at")
        )
        work.append(
            {
                "label": "需处理的采集批次",
                "count": figures["batches"],
                "url": reverse("ingest:review_queue") + "#attention-section",
                "oldest": figures["oldest"],
            }
        )
    return work


@hooks.register("hedang_metrics")
def metrics():
    from ingest.metrics import ingest_metrics

    return ingest_metrics()
