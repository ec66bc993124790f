"""The review decision: a person names the household and subtype of an item the pipeline
could not file on its own, and the item is filed, indexed and logged in one step.

Also the scoping of ingest records (batches and their documents belong to the agency that
submitted them) and the retry of a document that needs attention.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from archive import audit
from archive.categories import Category
from archive.filing import FilingError, file_item
from archive.models import Agency, Household, Item, Subtype
from ingest import dating, pipeline
from ingest.models import Batch, Document


class ReviewError(ValueError):
    """The decision cannot be taken; ``str(exc)`` says why, in Chinese."""


# --- scoping ----------------------------------------------------------------------------------


def visible_batches(user):
    """Batches submitted by an agency of the user's jurisdiction (all for a superuser)."""
    return Batch.objects.visible_to(user)


def visible_documents(user):
    return Document.objects.visible_to(user)


def review_queue(user):
    """Items waiting for a decision that the user may see, oldest first."""
    return (
        Item.objects.visible_to(user).filter(status=Item.Status.REVIEW).order_by("created_at", "pk")
    )


def attention_documents(user):
    return (
        visible_documents(user)
        .filter(status=Document.Status.ATTENTION)
        .select_related("batch", "batch__agency")
        .order_by("updated_at", "pk")
    )


def _ancestor_ids(agency: Agency | None) -> list[int]:
    ids = []
    while agency is not None:
        ids.append(agency.pk)
        agency = agency.parent
    return ids


def usable_subtypes(agency: Agency | None):
    """The standard subtypes and those added by the agency or an agency above it."""
    extra = Q(agency_id__in=_ancestor_ids(agency)) if agency is not None else Q(pk__in=[])
    return Subtype.objects.filter(Q(agency__isnull=True) | extra).order_by(
        "category", "order", "pk"
    )


def subtypes_for_user(user):
    if user.is_superuser:
        return Subtype.objects.order_by("category", "order", "pk")
    return usable_subtypes(user.agency)


# --- the decision -----------------------------------------------------------------------------


def accept(
    item: Item,
    *,
    household: Household,
    category: str,
    subtype: Subtype,
    user,
    formation_date: dt.date | None = None,
) -> Item:
    """File a review item in ``household`` as ``subtype``; all or nothing. ``formation_date``:
    the date the person read on the paper, for an item whose date the pipeline could not
    establish (ingest.dating); its provenance becomes ``review``."""
    if household is None:
        raise ReviewError("请选择或填写要归入的户")
    if category not in Category.values:
        raise ReviewError("请选择材料类别")
    if subtype is None:
        raise ReviewError("请选择子类")
    if subtype.category != category:
        raise ReviewError(f"子类「{subtype.name}」不属于「{Category(category).label}」")
    try:
        with transaction.atomic():
            item = _accept(item, household, category, subtype, user, formation_date)
    except FilingError as exc:
        raise ReviewError(f"不能归档：{exc}") from exc
    return item  # the index follows through search's signals


def _accept(item, household, category, subtype, user, formation_date=None) -> Item:
    item = Item.objects.visible_to(user).select_for_update().filter(pk=item.pk).first()
    if item is None:
        raise ReviewError("该件不存在或不在您的辖区内")
    if item.status != Item.Status.REVIEW:
        raise ReviewError(f"该件当前状态为「{item.get_status_display()}」，无需确认")
    household = Household.objects.visible_to(user).filter(pk=household.pk).first()
    if household is None:
        raise ReviewError("该户不在您的辖区内，不能归入")
    if not usable_subtypes(household.agency).filter(pk=subtype.pk).exists():
        raise ReviewError(f"子类「{subtype.name}」不能用于{household.agency.name}的户")
    if formation_date is not None and formation_date > timezone.localdate():
        raise ReviewError("形成日期不能晚于今天")
    if item.formation_date is None and formation_date is None:
        raise ReviewError("该件缺少形成日期，请按纸质文件填写形成日期后归档")
    before = {
        "household": item.household_id,
        "category": item.category,
        "subtype": item.subtype_id,
        "title": item.title,
        "formation_date": item.formation_date.isoformat() if item.formation_date else None,
    }
    if formation_date is not None and formation_date != item.formation_date:
        item.formation_date = formation_date
        item.fields = dating.reviewed(item.fields or {})
    item.household = household
    item.agency = household.agency
    item.category = category
    item.subtype = subtype
    item.title = f"{household.head_name}户{subtype.name}"[:300]
    item.status_detail = f"人工确认：{user}"
    item.fields = {
        **(item.fields or {}),
        "review": {
            "accepted_by": user.username,
            "accepted_at": timezone.now().isoformat(timespec="seconds"),
        },
    }
    file_item(item)  # saves the item with everything set above
    Document.objects.filter(item=item).update(
        status=Document.Status.FILED, error="", updated_at=timezone.now()
    )
    audit.record(
        audit.Action.CHANGE,
        item,
        user=user,
        detail={
            "review": "accepted",
            "household": household.pk,
            "category": category,
            "subtype": subtype.code,
            "archive_number": item.archive_number,
            "formation_date": item.formation_date.isoformat(),
            "before": before,
        },
    )
    return item


def retry(document: Document) -> Document:
    """Put a document that needs attention back in the queue and hand it to a worker."""
    from ingest.tasks import enqueue

    if document.status != Document.Status.ATTENTION:
        raise ReviewError(f"该文件当前状态为「{document.get_status_display()}」，不能重试")
    document = pipeline.retry(document)
    transaction.on_commit(lambda: enqueue(document))
    return document
