"""Loans for a period, status and agency, always inside the user's jurisdiction.

Used by the API list, the register (API and desk), and the inspector's view, so all of them
read the filters and refuse bad ones the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from archive.models import Agency
from loans.models import Loan
from loans.services import LoanRefused


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


def parse_date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise LoanRefused(f"{field} 须为 YYYY-MM-DD 格式的日期", "invalid_date", field) from None


def period(params, default_days: int = 30, ahead_days: int = 0) -> Period:
    """``from``/``to`` (inclusive); without them the last ``default_days`` days to today
    (``ahead_days`` further for screens that also show loans booked for coming days)."""
    today = timezone.localdate()
    end = parse_date(params.get("to"), "to") or today + dt.timedelta(days=ahead_days)
    start = parse_date(params.get("from"), "from") or end - dt.timedelta(days=default_days)
    if start > end:
        raise LoanRefused("起始日期不能晚于结束日期", "invalid_period", "from")
    if (end - start).days > 3660:
        raise LoanRefused("期间不能超过十年", "invalid_period", "to")
    return Period(start, end)


def visible_agency(user, code: str | None) -> Agency | None:
    """The agency named by its region code, if the user's jurisdiction covers it."""
    if not code:
        return None
    agency = Agency.objects.filter(region_code=code).first()
    ids = user.visible_agency_ids
    if agency is None or (ids is not None and agency.pk not in ids):
        raise LoanRefused(
            f"核对机构 {code} 不存在或不在本机构辖区内", "not_found", "agency", status=404
        )
    return agency


def loans_for(user, params, *, default_days: int = 30, ahead_days: int = 0):
    """The user's visible loans filtered by ``from``, ``to``, ``status`` and ``agency``.

    ``agency`` covers that agency and those below it, as the jurisdiction rule does.
    """
    span = period(params, default_days, ahead_days)
    loans = Loan.objects.visible_to(user).filter(date__range=(span.start, span.end))
    status = params.get("status")
    if status:
        if status == "overdue":
            loans = loans.overdue()
        elif status not in Loan.Status.values:
            raise LoanRefused(
                "status 须为 " + "、".join([*Loan.Status.values, "overdue"]) + " 之一",
                "invalid_choice",
                "status",
            )
        else:
            loans = loans.filter(status=status)
    agency = visible_agency(user, params.get("agency"))
    if agency is not None:
        loans = loans.filter(agency_id__in=agency.jurisdiction_ids())
    return loans, span, agency
