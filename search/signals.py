"""Receivers that keep the index in step with the archive (connected in SearchConfig.ready).

Filing, correcting or destroying an item, editing its pages, its household, members or
case: each reaches :func:`search.service.update_items` for the items concerned. A failure
to index never breaks the archive's own write; it is logged, and ``search_check`` finds it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)


def _update(ids) -> None:
    from search.service import collecting, update_items

    ids = list(ids)
    if not ids:
        return
    if collecting():  # only noted for the end of search.service.deferred: no savepoint
        update_items(ids)
        return
    try:
        with transaction.atomic():
            update_items(ids)
    except Exception:
        log.exception("search: could not update the index for items %s", ids[:20])


def _filed_items(**lookup):
    from archive.models import Item

    return Item.objects.filter(archive_number__isnull=False, **lookup).values_list("pk", flat=True)


def _item_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _update([instance.pk])


def _page_changed(sender, instance, raw=False, **kwargs):
    if not raw and instance.item_id:
        _update([instance.item_id])


def _household_changed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:  # a new household has no items yet: no query
        _update(_filed_items(household_id=instance.pk))


def _member_changed(sender, instance, raw=False, **kwargs):
    if not raw and instance.household_id:
        _update(_filed_items(household_id=instance.household_id))


def _case_changed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:  # a new case has no items yet: no query
        _update(_filed_items(case_id=instance.pk))


def _subtype_changed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        _update(_filed_items(subtype_id=instance.pk))


def connect() -> None:
    from archive.models import Case, Household, Item, Member, Page, Subtype

    pairs = [
        (Item, _item_changed, (post_save, post_delete)),
        (Page, _page_changed, (post_save, post_delete)),
        (Household, _household_changed, (post_save,)),
        (Member, _member_changed, (post_save, post_delete)),
        (Case, _case_changed, (post_save,)),
        (Subtype, _subtype_changed, (post_save,)),
    ]
    for model, receiver, signals in pairs:
        for signal in signals:
            signal.connect(
                receiver, sender=model, dispatch_uid=f"hedang_search_{model.__name__}_{id(signal)}"
            )


def purge_after_flush(sender, using="default", **kwargs) -> None:
    """``flush`` empties the document table but not SQLite's FTS5 table: empty it too."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    from search.backends.sqlite import DOC, FTS

    with connection.cursor() as cur:
        tables = connection.introspection.table_names(cur)
        if FTS not in tables or DOC not in tables:
            return
        cur.execute(f"SELECT 1 FROM {DOC} LIMIT 1")
        if cur.fetchone() is None:
            cur.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('delete-all')")
