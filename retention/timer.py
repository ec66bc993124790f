"""The retention timer: when an item falls due, and which items are due on a day.

An item is due on its retention start plus its period (HEDANG_RETENTION_YEARS, or the
category's HEDANG_RETENTION_YEARS_BY_CATEGORY), or on the new due date an appraisal gave it.
The sweep is one set-based query streamed from a server-side cursor: no item is loaded as a
model instance, so a million items need little memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from archive.categories import Category
from archive.models import Item
from retention.models import AppraisalDecision


def period_years(category: str) -> int:
    return int(
        settings.HEDANG_RETENTION_YEARS_BY_CATEGORY.get(category, settings.HEDANG_RETENTION_YEARS)
    )


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February falls on 1 March in a common year (never early)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def due_date(item: Item) -> dt.date | None:
    """The day the item's retention runs out (None for an item not filed yet)."""
    if item.retention_start is None:
        return None
    kept = (
        AppraisalDecision.objects.filter(item=item, decision="keep", new_due_on__isnull=False)
        .order_by("-new_due_on")
        .values_list("new_due_on", flat=True)
        .first()
    )
    return kept or add_years(item.retention_start, period_years(item.category))


def _latest_start(as_of: dt.date, years: int) -> dt.date:
    """The latest retention start whose due date (start + years) is on or before ``as_of``."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # as_of is 29 February: 28 February of a common year
        return dt.date(as_of.year - years, 2, 28)


def due_queryset(as_of: dt.date):
    """Filed items due on ``as_of``: their period ran out and no appraisal kept them longer."""
    by_category = Q()
    for category in Category.values:
        by_category |= Q(
            category=category, retention_start__lte=_latest_start(as_of, period_years(category))
        )
    kept = AppraisalDecision.objects.filter(
        item_id=OuterRef("pk"), decision="keep", new_due_on__gt=as_of
    )
    return (
        Item.objects.filter(status=Item.Status.FILED, retention_start__isnull=False)
        .filter(by_category)
        .exclude(Exists(kept))
    )


@dataclass(frozen=True)
class DueRow:
    item_id: int
    archive_number: str
    household_id: int | None
    case_id: int | None
    category: str
    retention_start: dt.date


def iter_due(as_of: dt.date, queryset=None, chunk: int = 20000) -> Iterator[DueRow]:
    """Stream the due items as tuples (a server-side cursor on PostgreSQL)."""
    qs = due_queryset(as_of) if queryset is None else queryset
    rows = qs.order_by().values_list(
        "pk", "archive_number", "household_id", "case_id", "category", "retention_start"
    )
    for row in rows.iterator(chunk_size=chunk):
        yield DueRow(*row)


def row_due_on(row: DueRow) -> dt.date:
    return add_years(row.retention_start, period_years(row.category))
