"""The timer and the sweep command: due on retention start + period, never a day before."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def sweep(as_of: str, **kw) -> dict:
    out = io.StringIO()
    call_command("retention_sweep", "--as-of", as_of, "--json", stdout=out, **kw)
    return json.loads(out.getvalue())


def test_item_formed_2014_is_due_on_2025_01_01_not_a_day_before(world):
    number = world.items["张伟-2014"].archive_number
    assert world.items["张伟-2014"].retention_start == dt.date(2015, 1, 1)
    assert number not in sweep("2024-12-31")["due"]
    due = sweep("2025-01-01")
    assert number in due["due"]
    assert world.items["张伟-2020"].archive_number not in due["due"]
    assert due["held"] == []


def test_period_per_category_is_a_setting(world, settings):
    settings.HEDANG_RETENTION_YEARS_BY_CATEGORY = {"proof": 30}
    due = sweep("2025-01-01")["due"]
    assert world.items["张伟-2014"].archive_number in due  # process: 10 years
    assert world.items["张伟-2014b"].archive_number not in due  # proof: 30 years
    assert world.items["张伟-2014b"].archive_number in sweep("2045-01-01")["due"]


def test_json_output_is_one_object_and_bad_date_is_usage_error(world):
    out = io.StringIO()
    call_command("retention_sweep", "--as-of", "2030-01-01", "--json", stdout=out)
    assert set(json.loads(out.getvalue())) == {"due", "held"}
    with pytest.raises(CommandError) as exc:
        call_command("retention_sweep", "--as-of", "2030-13-01", "--json")
    assert exc.value.returncode == 2


def test_daily_task_fills_the_appraisal_list_and_deletes_nothing(world):
    from archive.models import File, Item
    from retention.models import DueEntry
    from retention.sweep import fill_appraisal_list
    from retention.tasks import daily_sweep

    files_before = File.objects.count()
    assert fill_appraisal_list(dt.date(2025, 1, 1)) == 3
    assert fill_appraisal_list(dt.date(2025, 1, 2)) == 0  # already listed
    entry = DueEntry.objects.get(item=world.items["张伟-2014"])
    assert entry.due_on == dt.date(2025, 1, 1) and entry.state == "pending"
    daily_sweep.apply()  # today (2026 or later): still the same three, nothing deleted
    assert DueEntry.objects.count() == 3
    assert File.objects.count() == files_before
    assert not Item.objects.filter(status=Item.Status.DESTROYED).exists()


def test_beat_schedule_runs_the_daily_sweep(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["retention-daily-sweep"]
    assert entry["task"] == "retention.tasks.daily_sweep"
    from config.celery import app

    app.loader.import_default_modules()
    assert "retention.tasks.daily_sweep" in app.tasks


def test_working_days_skip_weekends_and_listed_holidays(settings):
    from retention.workdays import add_working_days, review_window_end

    friday = dt.date(2026, 12, 4)
    assert add_working_days(friday, 1) == dt.date(2026, 12, 7)  # Monday
    assert add_working_days(friday, 5) == dt.date(2026, 12, 11)
    settings.HEDANG_PUBLIC_HOLIDAYS = ["2026-12-07"]
    assert add_working_days(friday, 1) == dt.date(2026, 12, 8)
    settings.HEDANG_EXTRA_WORKING_DAYS = ["2026-12-05"]  # a Saturday worked (调休)
    assert add_working_days(friday, 1) == dt.date(2026, 12, 5)
    settings.HEDANG_PUBLIC_HOLIDAYS, settings.HEDANG_EXTRA_WORKING_DAYS = [], []
    # 30 working days = 6 weeks when nothing else intervenes.
    assert review_window_end(dt.date(2025, 1, 6)) == dt.date(2025, 2, 17)
