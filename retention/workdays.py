"""Working days: Monday to Friday, minus the public holidays of the setting, plus the weekend
days worked instead (调休). China's holidays are set each year by the State Council, so they
are a setting (HEDANG_PUBLIC_HOLIDAYS, HEDANG_EXTRA_WORKING_DAYS), not a rule in code."""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.conf import settings


@cache
def _dates(values: tuple[str, ...]) -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(v) for v in values)


def is_working_day(day: dt.date) -> bool:
    if day in _dates(tuple(settings.HEDANG_EXTRA_WORKING_DAYS)):
        return True
    if day in _dates(tuple(settings.HEDANG_PUBLIC_HOLIDAYS)):
        return False
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def review_window_end(issued_on: dt.date) -> dt.date:
    """The last day a review (复核) of a report issued on ``issued_on`` may be requested."""
    return add_working_days(issued_on, settings.HEDANG_REVIEW_WINDOW_WORKING_DAYS)
