"""Appraisal (鉴定): a household's due items are decided together, each kept (with a new
period, recorded and shown) or proposed for destruction, with the appraisers and the reason."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from archive import audit
from archive.models import Household, Item
from retention import worm
from retention.models import Appraisal, AppraisalDecision, DueEntry
from retention.timer import add_years, due_date


class AppraisalError(ValueError):
    """Bad input for an appraisal; nothing was changed."""


@dataclass(frozen=True)
class Choice:
    item: Item
    decision: str  # "keep" | "destroy"
    extra_years: int | None = None


def pending_entries(household: Household):
    return DueEntry.objects.filter(
        item__household=household, state=DueEntry.State.PENDING
    ).select_related("item")


@transaction.atomic
def appraise(
    household: Household, choices: list[Choice], *, appraisers: str, reason: str, user, request=None
) -> Appraisal:
    """Record one appraisal of every pending due item of ``household``."""
    appraisers, reason = (appraisers or "").strip(), (reason or "").strip()
    if not appraisers:
        raise AppraisalError("请填写鉴定人")
    if not reason:
        raise AppraisalError("请填写鉴定意见")
    entries = {e.item_id: e for e in pending_entries(household).select_for_update()}
    if not entries:
        raise AppraisalError("该户没有待鉴定的到期档案")
    chosen = {c.item.pk: c for c in choices}
    missing = [str(e.item) for i, e in entries.items() if i not in chosen]
    if missing:
        raise AppraisalError("同一户的到期档案须一并鉴定，未给出结论：" + "、".join(missing))
    stray = [str(c.item) for i, c in chosen.items() if i not in entries]
    if stray:
        raise AppraisalError("这些件不在该户的待鉴定清单中：" + "、".join(stray))
    for c in choices:
        if c.decision not in AppraisalDecision.Decision.values:
            raise AppraisalError(f"鉴定结论无效：{c.decision}")
        if c.decision == "keep" and not (c.extra_years and 1 <= c.extra_years <= 100):
            raise AppraisalError(f"{c.item} 继续保存须给出延长年限（1–100 年）")
    appraisal = Appraisal.objects.create(
        household=household,
        agency=household.agency,
        appraisers=appraisers,
        reason=reason,
        created_by=user,
    )
    for c in choices:
        entry = entries[c.item.pk]
        old_due = due_date(c.item) or entry.due_on
        new_due = add_years(old_due, c.extra_years) if c.decision == "keep" else None
        AppraisalDecision.objects.create(
            appraisal=appraisal,
            item=c.item,
            decision=c.decision,
            due_on=old_due,
            extra_years=c.extra_years if c.decision == "keep" else None,
            new_due_on=new_due,
        )
        entry.state = DueEntry.State.KEPT if c.decision == "keep" else DueEntry.State.PROPOSED
        entry.save(update_fields=["state"])
        if new_due is not None:
            worm.extend_item_lock(c.item, new_due)
        audit.record(
            audit.Action.APPRAISE,
            c.item,
            user=user,
            request=request,
            detail={
                "appraisal": appraisal.pk,
                "decision": c.decision,
                "due_on": old_due.isoformat(),
                "new_due_on": new_due.isoformat() if new_due else None,
                "appraisers": appraisers,
                "reason": reason,
            },
        )
    return appraisal


def latest_decision(item: Item) -> AppraisalDecision | None:
    return (
        AppraisalDecision.objects.filter(item=item)
        .select_related("appraisal")
        .order_by("-appraisal__created_at", "-pk")
        .first()
    )


def today():
    return timezone.localdate()
