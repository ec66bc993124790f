"""The sweep: what is due on a day, what of it is held, and filling the appraisal list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from django.db.models import Exists, OuterRef
from django.utils import timezone

from archive import audit
from retention.holds import HeldSets, held_sets
from retention.models import DueEntry
from retention.timer import DueRow, due_date, due_queryset, iter_due, row_due_on


def sweep(
    as_of: dt.date, on_due: Callable[[DueRow, str | None], None], held: HeldSets | None = None
) -> tuple[int, int]:
    """Call ``on_due(row, hold_reason)`` for every due item, streamed; returns (due, held)."""
    held = held if held is not None else held_sets(as_of)
    due = n_held = 0
    for row in iter_due(as_of):
        reason = held.reason(row.item_id, row.household_id, row.case_id)
        due += 1
        n_held += reason is not None
        on_due(row, reason)
    return due, n_held


def _new_rows(as_of: dt.date) -> Iterator[DueRow]:
    listed = DueEntry.objects.filter(item_id=OuterRef("pk"))
    yield from iter_due(as_of, due_queryset(as_of).exclude(Exists(listed)))


def fill_appraisal_list(as_of: dt.date | None = None, batch: int = 5000) -> int:
    """Put every due item not listed yet on the appraisal list. Deletes nothing."""
    as_of = as_of or timezone.localdate()
    added = 0
    pending: list[DueEntry] = []
    for row in _new_rows(as_of):
        pending.append(DueEntry(item_id=row.item_id, due_on=row_due_on(row), listed_on=as_of))
        if len(pending) >= batch:
            DueEntry.objects.bulk_create(pending, ignore_conflicts=True)
            added += len(pending)
            pending = []
    if pending:
        DueEntry.objects.bulk_create(pending, ignore_conflicts=True)
        added += len(pending)
    # Items kept by an earlier appraisal whose new period has run out come back for appraisal.
    returned = DueEntry.objects.filter(state=DueEntry.State.KEPT).filter(
        item__in=due_queryset(as_of)
    )
    for entry in returned.select_related("item"):
        entry.state, entry.listed_on = DueEntry.State.PENDING, as_of
        entry.due_on = due_date(entry.item) or entry.due_on
        entry.save(update_fields=["state", "listed_on", "due_on"])
        added += 1
    audit.record(
        audit.Action.CHECK,
        object_type="retention.DueEntry",
        object_repr=f"保管期限到期检查 {as_of.isoformat()}",
        detail={"as_of": as_of.isoformat(), "listed": added},
    )
    return added
