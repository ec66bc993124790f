"""The inspector's figures (监督检查), all inside the user's jurisdiction and a period."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from archive.models import Agency, Household
from loans.models import Incident, Loan, ReadingEvent

READING_KINDS = (ReadingEvent.Kind.VIEW, ReadingEvent.Kind.PAGE)


def working_hours() -> tuple[dt.time, dt.time]:
    """``HEDANG_LOAN_WORKING_HOURS = ("08:30", "17:30")``, Monday to Friday."""
    start, end = getattr(settings, "HEDANG_LOAN_WORKING_HOURS", ("08:30", "17:30"))
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


def outside_hours(when: dt.datetime) -> bool:
    local = timezone.localtime(when)
    start, end = working_hours()
    return local.weekday() >= 5 or not start <= local.time() <= end


def _aware(day: dt.date, end: bool = False) -> dt.datetime:
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min)
    return timezone.make_aware(moment)


def events(user, span, agency: Agency | None = None):
    qs = ReadingEvent.objects.visible_to(user).filter(
        at__gte=_aware(span.start), at__lt=_aware(span.end, end=True)
    )
    if agency is not None:
        qs = qs.filter(item__agency_id__in=agency.jurisdiction_ids())
    return qs


def summary(user, loans, span, agency: Agency | None = None, limit: int = 10) -> dict:
    """Everything the inspector's page shows, as plain data."""
    by_agency = list(
        loans.values("agency__region_code", "agency__name", "agency__region_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "agency__region_code")
    )
    monthly = (span.end - span.start).days > 62
    trunc = TruncMonth("date") if monthly else TruncDate("date")
    by_date = [
        (r["d"].strftime("%Y-%m" if monthly else "%m-%d"), r["n"])
        for r in loans.annotate(d=trunc).values("d").annotate(n=Count("pk")).order_by("d")
    ]
    by_status = list(loans.values("status").annotate(n=Count("pk")).order_by("-n"))
    status_labels = dict(Loan.Status.choices)
    reading = events(user, span, agency)
    households = list(
        reading.filter(kind__in=READING_KINDS, household__isnull=False)
        .values("household")
        .annotate(n=Count("pk"))
        .order_by("-n")[:limit]
    )
    names = Household.objects.in_bulk([h["household"] for h in households])
    late = [
        e
        for e in reading.filter(kind__in=READING_KINDS).select_related("user", "item")[:5000]
        if outside_hours(e.at)
    ]
    visible = Loan.objects.visible_to(user)
    if agency is not None:
        visible = visible.filter(agency_id__in=agency.jurisdiction_ids())
    return {
        "total": loans.count(),
        "by_agency": [
            (r["agency__name"], r["n"], r["agency__region_code"], r["agency__region_name"])
            for r in by_agency
        ],
        "by_date": by_date,
        "monthly": monthly,
        "by_status": [(status_labels[r["status"]], r["n"], r["status"]) for r in by_status],
        "overdue": list(visible.overdue().select_related("agency")[:100]),
        "incidents": list(
            Incident.objects.filter(loan__in=visible, resolved=False).select_related(
                "loan", "line__item"
            )[:100]
        ),
        "households": [(names.get(h["household"]), h["n"]) for h in households],
        "refused": list(
            reading.filter(kind=ReadingEvent.Kind.REFUSED).select_related("user", "item")[:100]
        ),
        "refused_loans": loans.filter(status=Loan.Status.REFUSED).count(),
        "late": late[:100],
        "late_count": len(late),
    }
