"""The formation date of an ingested item, and where it came from: no silent guesses.

1. ``form``: the latest date written on the document that is not in the future;
2. ``case``: else the date of the case the item belongs to — the case its report or
   authorization number names, or the household's only case — its 受理 (authorization) date,
   or for a report its report date; without either, the earliest formation date of the items
   already filed in that case;
3. ``review``: else none; the item waits in review with the reason, and the person who files
   it gives the date (ingest.review.accept).

The day of ingest is never used. The source is kept in ``item.fields["provenance"]``
(archive/models/item_fields.py) and shown on the item page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from archive.models import Case, Household, Item
from ingest.text import Found, formation_date

FORM, CASE, REVIEW = "form", "case", "review"  # archive.models.item_fields.PROVENANCE_SOURCES
NO_DATE = "未能确定形成日期：表单上没有日期，也找不到所属案卷的日期，请核对后填写形成日期"


@dataclass(frozen=True)
class Dated:
    """The formation date of an item (None: a person must give it) and its source."""

    date: dt.date | None
    source: str
    case: Case | None = None
    note: str = ""

    def provenance(self) -> dict:
        """What ``item.fields["provenance"]`` records for this date."""
        out = {"formation_date": self.source, "year": self.source}
        if self.case is not None:
            out["case"] = self.case.pk
        return out


def case_of(found: Found, household: Household | None) -> Case | None:
    """The case of ``household`` the item belongs to: named by a number found on it, else the
    household's only case; None when there is no household or the case is ambiguous."""
    if household is None:
        return None
    cases = Case.objects.filter(household=household)
    named = list(
        cases.filter(
            Q(report_number__in=found.report_numbers)
            | Q(authorization_number__in=found.authorization_numbers)
        ).distinct()[:2]
    )
    if len(named) == 1:
        return named[0]
    if named:  # two cases named on one paper: which one is a person's call
        return None
    only = list(cases[:2])
    return only[0] if len(only) == 1 else None


def case_date(case: Case, category: str, today: dt.date) -> dt.date | None:
    """The case's date for an item of ``category``: a report takes the report date."""
    order = (
        [case.reported_on, case.accepted_on]
        if category == "report"
        else [case.accepted_on, case.reported_on]
    )
    for value in order:
        if value is not None and value <= today:
            return value
    filed = Item.objects.filter(
        case=case, status=Item.Status.FILED, formation_date__isnull=False
    ).order_by("formation_date", "pk")
    # An item dated from this very case would only repeat a guess: the paper's own dates.
    first = next(
        (
            date
            for date, fields in filed.values_list("formation_date", "fields")[:50]
            if ((fields or {}).get("provenance") or {}).get("formation_date") != CASE
        ),
        None,
    )
    return first if first is not None and first <= today else None


def date_item(found: Found, household: Household | None, category: str, today: dt.date) -> Dated:
    """The formation date of an item whose text yielded ``found``, filed in ``household``."""
    case = case_of(found, household)
    written = formation_date(found, today)
    if written is not None:
        return Dated(written, FORM, case)
    if case is not None:
        from_case = case_date(case, category, today)
        if from_case is not None:
            return Dated(from_case, CASE, case)
    return Dated(None, REVIEW, case, NO_DATE)


def reviewed(fields: dict) -> dict:
    """``fields`` with the formation date given by a person at review."""
    provenance = {**(fields.get("provenance") or {}), "formation_date": REVIEW, "year": REVIEW}
    return {**fields, "provenance": provenance}
