"""Appraisal and destruction: approvals, holds, and nothing of the item left afterwards."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail import hooks

from tests.retention.conftest import stored_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def appraised(world):
    """Both households' due items appraised on 2025-01-01: 张伟's 2014 items proposed for
    destruction (with one kept 5 years), 李明's proposed."""
    from retention.appraisal import Choice, appraise
    from retention.sweep import fill_appraisal_list

    fill_appraisal_list(dt.date(2025, 1, 1))
    i, u = world.items, world.users
    appraise(
        world.households["张伟"],
        [Choice(i["张伟-2014"], "destroy"), Choice(i["张伟-2014b"], "keep", 5)],
        appraisers="王芳、赵强",
        reason="已过保管期限，无继续保存价值",
        user=u["档案员"],
    )
    appraise(
        world.households["李明"],
        [Choice(i["李明-2014"], "destroy")],
        appraisers="王芳、赵强",
        reason="已过保管期限",
        user=u["档案员"],
    )
    return world


def test_household_is_appraised_together_and_keep_is_recorded(world):
    from retention.appraisal import AppraisalError, Choice, appraise
    from retention.models import AppraisalDecision
    from retention.sweep import fill_appraisal_list
    from retention.timer import due_date
    from tests.retention.test_timer import sweep

    fill_appraisal_list(dt.date(2025, 1, 1))
    i = world.items
    with pytest.raises(AppraisalError, match="一并鉴定"):
        appraise(
            world.households["张伟"],
            [Choice(i["张伟-2014"], "destroy")],
            appraisers="王芳",
            reason="到期",
            user=world.users["档案员"],
        )
    assert not AppraisalDecision.objects.exists()
    appraise(
        world.households["张伟"],
        [Choice(i["张伟-2014"], "keep", 5), Choice(i["张伟-2014b"], "keep", 10)],
        appraisers="王芳",
        reason="仍有利用价值",
        user=world.users["档案员"],
    )
    assert due_date(i["张伟-2014"]) == dt.date(2030, 1, 1)
    assert i["张伟-2014"].archive_number not in sweep("2029-12-31")["due"]
    assert i["张伟-2014"].archive_number in sweep("2030-01-01")["due"]
    # back on the appraisal list when the new period has run out, with the new due date
    from retention.models import DueEntry

    assert fill_appraisal_list(dt.date(2030, 1, 1)) == 1
    entry = DueEntry.objects.get(item=i["张伟-2014"])
    assert (entry.state, entry.due_on) == ("pending", dt.date(2030, 1, 1))


def test_held_item_stays_out_of_every_batch(appraised):
    from retention import destruction, holds

    item = appraised.items["李明-2014"]
    holds.place([item], reason="信访", user=appraised.users["档案员"])
    with pytest.raises(destruction.DestructionError, match="冻结"):
        destruction.propose(
            [item], title="2025 第1批", reason="到期", user=appraised.users["档案员"]
        )
    # held after the batch was made: execution refuses
    holds.lift(holds.Hold.objects.all(), user=appraised.users["档案员"], reason="已结")
    batch = destruction.propose(
        [item], title="2025 第1批", reason="到期", user=appraised.users["档案员"]
    )
    destruction.approve(batch, user=appraised.users["负责人"])
    destruction.supervise(batch, user=appraised.users["监销甲"])
    destruction.supervise(batch, user=appraised.users["监销乙"])
    holds.place_on(appraised.households["李明"], reason="复核", user=appraised.users["档案员"])
    with pytest.raises(destruction.DestructionError, match="冻结"):
        destruction.execute(batch, user=appraised.users["档案员"])
    item.refresh_from_db()
    assert item.status == "filed" and item.files.exists()


def test_no_execution_without_head_and_two_distinct_supervisors(appraised):
    from retention import destruction

    u = appraised.users
    item = appraised.items["李明-2014"]
    batch = destruction.propose([item], title="第2批", reason="到期", user=u["档案员"])
    with pytest.raises(destruction.DestructionError, match="批准"):
        destruction.execute(batch, user=u["档案员"])
    with pytest.raises(destruction.DestructionError, match="机构负责人"):
        destruction.approve(batch, user=u["监销甲"])  # not the head
    with pytest.raises(destruction.DestructionError, match="批准后"):
        destruction.supervise(batch, user=u["监销甲"])
    destruction.approve(batch, user=u["负责人"])
    with pytest.raises(destruction.DestructionError, match="两名"):
        destruction.execute(batch, user=u["档案员"])
    destruction.supervise(batch, user=u["监销甲"])
    with pytest.raises(destruction.DestructionError, match="已确认"):
        destruction.supervise(batch, user=u["监销甲"])
    with pytest.raises(destruction.DestructionError, match="两名"):
        destruction.execute(batch, user=u["档案员"])
    # the proposer may not be a supervisor, even holding the permission
    from django.contrib.auth.models import Group

    u["档案员"].groups.add(Group.objects.get(name="监督检查"))
    proposer = type(u["档案员"]).objects.get(pk=u["档案员"].pk)
    with pytest.raises(destruction.DestructionError, match="申请人"):
        destruction.supervise(batch, user=proposer)
    item.refresh_from_db()
    assert item.status == "filed"


def _storage_root(settings) -> Path:
    return Path(settings.STORAGES["archive"]["OPTIONS"]["location"])


def test_execution_leaves_no_byte_but_placeholder_log_and_signed_register(
    appraised, settings, filed
):
    import search
    from archive.models import AuditEntry, File, Item
    from archive.signing import check_signatures
    from archive.storage import read_blob
    from retention import destruction

    u, i = appraised.users, appraised.items
    # 李明's item shares its original's bytes with an item that is not destroyed
    shared = File.objects.get(item=i["张伟-2020"], role="original")
    File.objects.create(
        item=i["李明-2014"],
        role="access",
        sha256=shared.sha256,
        size=shared.size,
        media_type="application/pdf",
    )
    targets = [i["张伟-2014"], i["李明-2014"]]
    gone = set(File.objects.filter(item__in=targets).values_list("sha256", flat=True)) - {
        shared.sha256
    }
    assert gone and gone <= set(stored_objects(_storage_root(settings)))
    assert search.search("鹦鹉螺", search.UNRESTRICTED).total == 1
    log_before = AuditEntry.objects.filter(
        object_type="archive.Item", object_id=str(i["李明-2014"].pk)
    ).count()

    batch = destruction.propose(
        targets,
        title="2025 年第 1 批",
        reason="保管期满，经鉴定无保存价值",
        user=u["档案员"],
        place="档案室",
    )
    destruction.approve(batch, user=u["负责人"])
    destruction.supervise(batch, user=u["监销甲"], note="已逐件核对")
    destruction.supervise(batch, user=u["监销乙"])
    told = []
    with hooks.register_temporarily("hedang_item_destroyed", told.append):
        destruction.execute(batch, user=u["档案员"], paper_method="粉碎", paper_place="档案室")
    assert sorted(told[0]) == sorted(t.pk for t in targets)

    on_disk = stored_objects(_storage_root(settings))
    assert not gone & set(on_disk), "a destroyed item's bytes are still stored"
    assert shared.sha256 in on_disk  # still used by 张伟's 2020 item
    assert search.search("鹦鹉螺", search.UNRESTRICTED).total == 0
    assert search.search("穿山甲", search.UNRESTRICTED).total == 0
    for item in targets:
        item.refresh_from_db()
        assert item.status == Item.Status.DESTROYED and item.archive_number
        assert not item.files.exists() and not item.pages.exists()
    assert (
        AuditEntry.objects.filter(
            object_type="archive.Item", object_id=str(i["李明-2014"].pk)
        ).count()
        > log_before
    )
    assert AuditEntry.objects.filter(action="destroy", object_id=str(i["李明-2014"].pk)).exists()
    out = io.StringIO()
    call_command("verify_audit", "--json", stdout=out)
    assert json.loads(out.getvalue())["intact"] is True
    batch.refresh_from_db()
    assert batch.status == "executed" and batch.pending_blobs == []
    for sha in (batch.register_sha256, batch.report_sha256):
        data = read_blob(sha)
        report = check_signatures(data)
        assert report.present and report.valid, report
        assert report.signatures[0].coverage == "ENTIRE_FILE"
        at = data.index(b"/Contents") - 200  # a byte inside the signed range changed
        tampered = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
        assert not check_signatures(tampered).valid
    assert batch.register_sha256 in on_disk and batch.report_sha256 in on_disk
    # the kept item is untouched
    assert Item.objects.get(pk=i["张伟-2014b"].pk).files.exists()


def test_register_text_lists_the_items(appraised):
    from pdfminer.high_level import extract_text

    from archive.storage import read_blob
    from retention import destruction

    u = appraised.users
    batch = destruction.propose(
        [appraised.items["李明-2014"]], title="第3批", reason="到期", user=u["档案员"]
    )
    destruction.approve(batch, user=u["负责人"])
    destruction.supervise(batch, user=u["监销甲"])
    destruction.supervise(batch, user=u["监销乙"])
    destruction.execute(batch, user=u["档案员"])
    batch.refresh_from_db()
    import io

    text = extract_text(io.BytesIO(read_blob(batch.register_sha256)))
    assert "销毁清册" in text and appraised.items["李明-2014"].archive_number.split("-")[-1] in text
