"""Filing an item: its 档号, formation year and retention start.

件号 are gap-free within a class. The class counter row is locked (SELECT … FOR UPDATE on
PostgreSQL, the IMMEDIATE write lock on SQLite) in the same transaction that files the item,
so a number is only ever used by a committed item and a rolled-back filing gives it back.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from archive.categories import CATEGORY_CODES
from archive.identifiers import archive_number_pattern
from archive.models import ArchiveNumberCounter, Item


class FilingError(ValueError):
    """The item lacks what filing needs (household, formation date…)."""


def retention_start(formation_date: dt.date) -> dt.date:
    """Retention counts from 1 January after the year of formation (docs/domain.md)."""
    if settings.HEDANG_RETENTION_START == "formation_date":
        return formation_date
    return dt.date(formation_date.year + 1, 1, 1)


def appraisal_due(start: dt.date) -> dt.date:
    """The day the retention period has run out and appraisal is due.

    A 29 February start (possible with HEDANG_RETENTION_START = "formation_date") has no
    anniversary in a common year: it falls due on 1 March, never before the full period.
    """
    year = start.year + settings.HEDANG_RETENTION_YEARS
    try:
        return start.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)


def class_fields(item: Item) -> dict[str, str]:
    """Every field the 档号 pattern may use, except the number itself."""
    return {
        "fonds": item.agency.fonds,
        "doc_class": settings.HEDANG_DOC_CLASS,
        "year": str(item.year),
        "retention": item.retention,
        "category_code": CATEGORY_CODES[item.category],
        "business_type": (item.case.business_type if item.case_id else "").upper() or "QT",
        "org": CATEGORY_CODES[item.category],
    }


def next_number(class_key: str) -> int:
    """Take the next 件号 of a class. Must run inside the filing transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside transaction.atomic()")
    number = _increment(class_key)
    if number is None:
        try:
            with transaction.atomic():
                ArchiveNumberCounter.objects.create(class_key=class_key, last_number=0)
        except IntegrityError:
            pass  # another filer created it first; the increment below waits for that filer
        number = _increment(class_key)
        if number is None:
            raise RuntimeError(f"档号计数器 {class_key} 无法建立")
    return number


def _increment(class_key: str) -> int | None:
    """Add one to the class counter and read it in one statement (None: no counter yet).

    The UPDATE locks the row until the filing transaction ends, as SELECT … FOR UPDATE did:
    a second filer of the class waits here for the first one's commit or rollback, then
    increments what the first one left (PostgreSQL re-reads the row; SQLite's IMMEDIATE
    transaction holds the write lock from BEGIN)."""
    meta, quote = ArchiveNumberCounter._meta, connection.ops.quote_name
    number = quote(meta.get_field("last_number").column)
    key = quote(meta.get_field("class_key").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {number} = {number} + 1 "
            f"WHERE {key} = %s RETURNING {number}",
            [class_key],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def file_item(item: Item, *, filing_fields_only: bool = False, savepoint: bool = True) -> Item:
    """Give a household-linked item its 档号 and mark it filed. Idempotent for filed items.

    Saves the whole item (callers set other fields before filing), or with
    ``filing_fields_only`` — for an item just created and not changed since — only what
    filing sets: a short UPDATE instead of every column (its ``fields`` JSON included).
    ``savepoint=False``: for a caller whose own transaction rolls back whole when filing
    fails (no savepoint to give the number back to: the caller's rollback does), two round
    trips fewer while the class's counter is locked."""
    if item.archive_number:
        return item
    if item.household_id is None:
        raise FilingError("未关联到户的件不能归档")
    if item.subtype_id is None or not item.category:
        raise FilingError("未确定材料类别和子类的件不能归档")
    if item.formation_date is None:
        raise FilingError("缺少形成日期，不能归档")
    pattern = archive_number_pattern()
    before = {name: getattr(item, name) for name in _FILING_FIELDS}
    try:
        with transaction.atomic(savepoint=savepoint):
            item.year = item.formation_date.year
            item.retention = settings.HEDANG_RETENTION_CODE
            item.retention_start = retention_start(item.formation_date)
            fields = class_fields(item)
            item.class_key = pattern.class_key(**fields)
            item.item_number = next_number(item.class_key)
            item.archive_number = pattern.format(number=item.item_number, **fields)
            item.status = Item.Status.FILED
            item.filed_at = timezone.now()
            if filing_fields_only and item.pk is not None:
                item.save(update_fields=[*_FILING_FIELDS, "updated_at"])
            else:
                item.save()
    except BaseException:
        # The transaction gave the number back; the object must not keep it either, or a
        # retry with the same object would return early as if it had been filed.
        for name, value in before.items():
            setattr(item, name, value)
        raise
    return item


_FILING_FIELDS = (
    "year",
    "retention",
    "retention_start",
    "class_key",
    "item_number",
    "archive_number",
    "status",
    "filed_at",
)
