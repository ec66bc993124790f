"""Which items are held from destruction on a day, and placing/lifting manual holds.

Sources of holds, each a set computed with a few small queries (never per item):

* manual holds (``Hold``) on an item, a household or a case, active until lifted or past
  their ``until`` day;
* a report inside its review window (30 working days after it was issued, §7) holds its
  household, and so does an open review (复核): a 复核申请表 with no 复核核对报告 filed on or
  after it;
* other apps' holds through the ``hedang_retention_holds`` hook (open loans, open
  consistency discrepancies): ``() -> Iterable[(item_id, reason)]``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail import hooks

from archive import audit
from archive.models import Case, Item
from retention.models import Hold
from retention.workdays import review_window_end

REVIEW_REQUEST = "FHS"  # 复核申请表
REVIEW_REPORT = "FHB"  # 复核核对报告
REPORT_SUBTYPES = ("HDB", "FHB")
# Reports issued longer ago than this are past any 30-working-day window, holidays included.
WINDOW_LOOKBACK = dt.timedelta(days=120)


@dataclass
class HeldSets:
    items: dict[int, str] = field(default_factory=dict)
    households: dict[int, str] = field(default_factory=dict)
    cases: dict[int, str] = field(default_factory=dict)

    def reason(self, item_id: int, household_id: int | None, case_id: int | None) -> str | None:
        """Why this item is held, or None when it is not."""
        if item_id in self.items:
            return self.items[item_id]
        if household_id is not None and household_id in self.households:
            return self.households[household_id]
        if case_id is not None and case_id in self.cases:
            return self.cases[case_id]
        return None


def active_manual_holds(as_of: dt.date):
    return Hold.objects.filter(lifted_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=as_of)
    )


def held_sets(as_of: dt.date | None = None) -> HeldSets:
    as_of = as_of or timezone.localdate()
    held = HeldSets()
    for hold in active_manual_holds(as_of).values("item_id", "household_id", "case_id", "reason"):
        reason = f"人工冻结：{hold['reason']}"
        if hold["item_id"]:
            held.items.setdefault(hold["item_id"], reason)
        elif hold["household_id"]:
            held.households.setdefault(hold["household_id"], reason)
        else:
            held.cases.setdefault(hold["case_id"], reason)
    for household_id, reason in _review_holds(as_of):
        held.households.setdefault(household_id, reason)
    for fn in hooks.get_hooks("hedang_retention_holds"):
        for item_id, reason in fn():
            held.items.setdefault(int(item_id), str(reason))
    return held


def _review_holds(as_of: dt.date):
    """Households with a report inside its review window, or with an open review."""
    since = as_of - WINDOW_LOOKBACK
    issued = set(
        Case.objects.filter(reported_on__gte=since, reported_on__lte=as_of).values_list(
            "household_id", "reported_on"
        )
    )
    issued |= set(
        Item.objects.filter(
            subtype__code__in=REPORT_SUBTYPES,
            formation_date__gte=since,
            formation_date__lte=as_of,
            household__isnull=False,
        )
        .exclude(status=Item.Status.DESTROYED)
        .values_list("household_id", "formation_date")
    )
    for household_id, day in sorted(issued, key=lambda r: r[1]):
        if as_of <= review_window_end(day):
            yield household_id, f"核对报告复核期内（{day.isoformat()} 出具，30 个工作日）"
    requests = (
        Item.objects.filter(subtype__code=REVIEW_REQUEST, household__isnull=False)
        .exclude(status=Item.Status.DESTROYED)
        .values_list("household_id", "formation_date")
    )
    answered: dict[int, list[dt.date]] = {}
    for household_id, day in Item.objects.filter(
        subtype__code=REVIEW_REPORT, household__isnull=False
    ).values_list("household_id", "formation_date"):
        answered.setdefault(household_id, []).append(day or dt.date.min)
    for household_id, day in requests:
        day = day or dt.date.min
        if not any(report >= day for report in answered.get(household_id, [])):
            yield household_id, "复核未结（有复核申请表而无其后的复核核对报告）"


def hold_reason(
    item: Item, as_of: dt.date | None = None, held: HeldSets | None = None
) -> str | None:
    held = held or held_sets(as_of)
    return held.reason(item.pk, item.household_id, item.case_id)


class HoldError(ValueError):
    """Bad input for placing or lifting a hold; nothing was changed."""


@transaction.atomic
def place(
    items: list[Item], *, reason: str, user, until: dt.date | None = None, request=None
) -> list[Hold]:
    reason = (reason or "").strip()
    if not reason:
        raise HoldError("请填写冻结原因")
    if until is not None and until < timezone.localdate():
        raise HoldError("冻结截止日期不能早于今天")
    holds = []
    for item in items:
        hold = Hold.objects.create(
            item=item, agency=item.agency, reason=reason, until=until, placed_by=user
        )
        audit.record(
            audit.Action.HOLD,
            item,
            user=user,
            request=request,
            detail={
                "hold": hold.pk,
                "reason": reason,
                "until": until.isoformat() if until else None,
            },
        )
        holds.append(hold)
    return holds


@transaction.atomic
def place_on(target, *, reason: str, user, until: dt.date | None = None, request=None) -> Hold:
    """A hold on a household or a case (every item of it)."""
    reason = (reason or "").strip()
    if not reason:
        raise HoldError("请填写冻结原因")
    kind = "household" if target._meta.model_name == "household" else "case"
    hold = Hold.objects.create(
        **{kind: target}, agency=target.agency, reason=reason, until=until, placed_by=user
    )
    audit.record(
        audit.Action.HOLD,
        target,
        user=user,
        request=request,
        detail={"hold": hold.pk, "reason": reason},
    )
    return hold


@transaction.atomic
def lift(holds, *, user, reason: str = "", request=None) -> list[Hold]:
    lifted = []
    now = timezone.now()
    for hold in holds:
        if hold.lifted_at is not None:
            continue
        hold.lifted_at, hold.lifted_by, hold.lift_reason = now, user, (reason or "").strip()
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit.record(
            audit.Action.RELEASE,
            hold.target,
            user=user,
            request=request,
            detail={"hold": hold.pk, "reason": hold.lift_reason, "placed_reason": hold.reason},
        )
        lifted.append(hold)
    return lifted
