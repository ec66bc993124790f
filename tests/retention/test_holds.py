"""Holds: manual (command, who, until, lifting logged), review windows, other apps' hooks."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail import hooks

from tests.retention.test_timer import sweep

pytestmark = pytest.mark.django_db


def hold_cmd(*args) -> dict:
    out = io.StringIO()
    call_command("retention_hold", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_manual_hold_and_lift_by_command(world):
    from archive.models import AuditEntry
    from retention.models import Hold

    number = world.items["张伟-2014"].archive_number
    assert hold_cmd(number, "--reason", "信访未结") == {"held": [number], "lifted": []}
    assert sweep("2025-01-01")["held"] == [number]
    hold = Hold.objects.get()
    assert hold.reason == "信访未结" and hold.active
    assert hold_cmd(number, "--reason", "信访已结", "--lift") == {"held": [], "lifted": [number]}
    assert sweep("2025-01-01")["held"] == []
    assert AuditEntry.objects.filter(action="hold", object_id=str(hold.item_id)).exists()
    lift = AuditEntry.objects.get(action="release")
    assert lift.detail["reason"] == "信访已结"


def test_hold_until_a_day_then_expires(world):
    number = world.items["张伟-2014"].archive_number
    hold_cmd(number, "--reason", "审计", "--until", "2099-01-01")
    assert sweep("2098-12-31")["held"] == [number]
    assert number not in sweep("2099-01-02")["held"]


def test_unknown_number_changes_nothing(world):
    from retention.models import Hold

    number = world.items["张伟-2014"].archive_number
    with pytest.raises(CommandError) as exc:
        call_command("retention_hold", number, "Z999-HD·2000-D10-01-0001", "--reason", "x")
    assert exc.value.returncode == 1
    assert not Hold.objects.exists()


def test_report_inside_review_window_holds_household(world, filed):
    h = world.households["张伟"]
    filed(h, "HDB", dt.date(2025, 1, 6), ["核对报告"])  # a Monday; window ends 2025-02-17
    numbers = {i.archive_number for k, i in world.items.items() if k.startswith("张伟-2014")}
    assert set(sweep("2025-02-17")["held"]) == numbers
    assert sweep("2025-02-18")["held"] == []


def test_open_review_holds_household_until_review_report(world, filed):
    h = world.households["李明"]
    filed(h, "FHS", dt.date(2024, 1, 10), ["复核申请表"])
    number = world.items["李明-2014"].archive_number
    assert number in sweep("2025-06-01")["held"]
    filed(h, "FHB", dt.date(2024, 2, 20), ["复核核对报告"])
    assert number not in sweep("2025-06-01")["held"]


def test_other_apps_hold_through_the_hook(world):
    item = world.items["李明-2014"]

    def loans_hold():
        return [(item.pk, "借阅未归还")]

    with hooks.register_temporarily("hedang_retention_holds", loans_hold):
        assert sweep("2025-01-01")["held"] == [item.archive_number]
        from retention.holds import hold_reason

        assert hold_reason(item) == "借阅未归还"
    assert sweep("2025-01-01")["held"] == []
