"""Read-side helpers shared by the staff pages, the API and the worklist: always scoped."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count
from django.db.models.functions import ExtractYear

from archive.models import Item
from retention.models import AppraisalDecision, DestructionBatch, DueEntry, Hold
from retention.timer import period_years


def due_per_year(user) -> list[tuple[int, int]]:
    """(year, items falling due that year) for the filed items the user may see."""
    rows = (
        Item.objects.visible_to(user)
        .filter(status=Item.Status.FILED, retention_start__isnull=False)
        .annotate(start_year=ExtractYear("retention_start"))
        .values("category", "start_year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_year: Counter[int] = Counter()
    for row in rows:
        per_year[row["start_year"] + period_years(row["category"])] += row["n"]
    return sorted(per_year.items())


def chart_svg(per_year: list[tuple[int, int]], width: int = 720, height: int = 220) -> str:
    """A bar chart as inline SVG (server-side, no outside script)."""
    if not per_year:
        return ""
    top = max(n for _y, n in per_year) or 1
    bar_w = max(8, min(48, (width - 60) // len(per_year) - 6))
    width = min(width, 60 + len(per_year) * (bar_w + 6))  # a few years: a narrow chart
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="按年到期件数" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="hd-chart">'
    ]
    base = height - 30
    for n, (year, count) in enumerate(per_year):
        x = 40 + n * (bar_w + 6)
        h = int((base - 20) * count / top)
        parts.append(
            f'<rect x="{x}" y="{base - h}" width="{bar_w}" height="{h}" fill="#1f7e9a">'
            f"<title>{year} 年到期 {count} 件</title></rect>"
            f'<text x="{x + bar_w / 2}" y="{base - h - 4}" font-size="11" text-anchor="middle">{count}</text>'
            f'<text x="{x + bar_w / 2}" y="{base + 16}" font-size="11" text-anchor="middle">{year}</text>'
        )
    parts.append(f'<line x1="36" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#666"/></svg>')
    return "".join(parts)


def pending_by_household(user):
    """Pending due entries the user may see, grouped per household (appraised together)."""
    entries = (
        DueEntry.objects.visible_to(user)
        .filter(state=DueEntry.State.PENDING)
        .select_related("item", "item__household", "item__subtype")
        .order_by("item__household_id", "due_on", "item__archive_number")
    )
    groups: dict[int | None, list[DueEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.item.household_id, []).append(entry)
    return groups


def active_holds(user):
    return (
        Hold.objects.visible_to(user)
        .filter(lifted_at__isnull=True)
        .select_related("item", "household", "case", "placed_by")
    )


def batches_waiting_for(user):
    """Batches in the user's jurisdiction that wait for this user's approval or check."""
    visible = DestructionBatch.objects.visible_to(user)
    waiting = DestructionBatch.objects.none()
    if user.has_perm("retention.approve_destruction"):
        waiting = waiting | visible.filter(status=DestructionBatch.Status.DRAFT).exclude(
            proposed_by=user
        )
    if user.has_perm("retention.supervise_destruction"):
        waiting = waiting | visible.filter(status=DestructionBatch.Status.APPROVED).exclude(
            proposed_by=user
        ).exclude(supervisions__user=user)
    return waiting.distinct()


def kept_decisions(user, limit: int = 50):
    """The latest "keep" decisions the user may see, with the new due dates they set."""
    return (
        AppraisalDecision.objects.visible_to(user)
        .filter(decision=AppraisalDecision.Decision.KEEP)
        .select_related("item", "appraisal")
        .order_by("-appraisal__created_at", "-pk")[:limit]
    )
