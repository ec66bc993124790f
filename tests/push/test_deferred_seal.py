"""The seal made by a worker after the receipt (push/sealing.py), and the print copy made on
demand: the receipt before the seal, the item sealed after the task, a dead worker's job
taken over, retries and failures, the inline mode."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from archive.models import AuditEntry, File, Item, PrintTask
from archive.signing import check_signatures
from archive.storage import read_blob
from push import sealing
from push.models import SealJob
from tests.push.conftest import push, report_meta, seal_pending

pytestmark = pytest.mark.django_db


def pushed(platform_client, signed_report, capture) -> tuple[dict, Item]:
    with capture(execute=True):
        response = push(platform_client("420102"), report_meta(), signed_report())
    assert response.status_code == 201, response.content
    body = response.json()
    return body, Item.objects.get(archive_number=body["archive_number"])


def test_receipt_before_the_seal(
    platform_client, signed_report, queued, django_capture_on_commit_callbacks, client_for
):
    receipt, item = pushed(platform_client, signed_report, django_capture_on_commit_callbacks)
    assert receipt["seal"] == {"status": "pending", "message": sealing_message("pending")}
    assert queued == [item.pk]  # queued once the filing committed
    assert {f.role for f in item.files.all()} == {File.Role.ORIGINAL}
    assert item.seal_job.status == SealJob.Status.PENDING
    client, _ = client_for("420102", "档案管理员")
    body = client.get(f"/api/v1/items/{item.archive_number}/signatures").json()
    assert body["seal"]["status"] == "pending"
    assert {f["role"] for f in body["files"]} == {"original"}
    # A duplicate while the seal is pending gets the original receipt, word for word.
    again = push(platform_client("420102"), report_meta(), read_blob(receipt["sha256"]))
    assert again.status_code == 200
    assert json.dumps(again.json()) == json.dumps(receipt)


def test_item_sealed_after_the_task(
    platform_client, signed_report, queued, django_capture_on_commit_callbacks, client_for
):
    receipt, item = pushed(platform_client, signed_report, django_capture_on_commit_callbacks)
    from push.tasks import seal_item

    assert seal_item.apply(args=[item.pk]).get() == "sealed"
    job = SealJob.objects.get(item=item)
    assert job.status == SealJob.Status.SEALED and job.sealed_at and job.attempts == 1
    sealed = read_blob(item.files.get(role=File.Role.SIGNED).sha256)
    assert sealed.startswith(read_blob(receipt["sha256"]))
    report = check_signatures(sealed)
    assert [s.field for s in report.signatures] == ["PlatformSignature", "HedangSeal"]
    assert report.valid
    entry = AuditEntry.objects.filter(detail__source="platform_seal").get()
    assert entry.object_type == "archive.File" and entry.action == "create"
    # Idempotent: the task again (a redelivered message) adds nothing.
    assert seal_item.apply(args=[item.pk]).get() == "skipped"
    assert item.files.filter(role=File.Role.SIGNED).count() == 1
    client, _ = client_for("420102", "档案管理员")
    body = client.get(f"/api/v1/items/{item.archive_number}/signatures").json()
    assert body["seal"]["status"] == "sealed"
    assert {f["role"] for f in body["files"]} == {"original", "signed"}
    # The receipt stays what it was when it was given.
    again = push(platform_client("420102"), report_meta(), read_blob(receipt["sha256"]))
    assert again.json() == receipt


def test_a_dead_workers_job_is_taken_over(
    platform_client, signed_report, queued, django_capture_on_commit_callbacks
):
    _, item = pushed(platform_client, signed_report, django_capture_on_commit_callbacks)
    queued.clear()
    # Worker 1 takes the job and dies before it seals (SIGKILL: nothing more happens).
    assert sealing.claim(item.pk, "worker1@host-a") is not None
    # While its lease runs, nobody else seals and the sweeper leaves it alone.
    assert sealing.seal_item(item.pk, "worker2@host-b") == "skipped"
    assert sealing.requeue_stalled() == 0 and queued == []
    # The lease runs out: the sweeper queues it again and worker 2 seals it.
    SealJob.objects.filter(item=item).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert sealing.requeue_stalled() == 1 and queued == [item.pk]
    assert sealing.seal_item(item.pk, "worker2@host-b") == "sealed"
    job = SealJob.objects.get(item=item)
    assert (job.status, job.worker, job.attempts) == ("sealed", "worker2@host-b", 2)
    assert item.files.filter(role=File.Role.SIGNED).count() == 1
    assert sealing.requeue_stalled() == 0


def test_a_restarted_worker_takes_back_its_own_jobs(
    platform_client, signed_report, queued, django_capture_on_commit_callbacks
):
    _, item = pushed(platform_client, signed_report, django_capture_on_commit_callbacks)
    queued.clear()
    sealing.claim(item.pk, "celery@host-a")
    assert sealing.reclaim("celery@host-a") == 1 and queued == [item.pk]
    assert sealing.seal_item(item.pk, "celery@host-a") == "sealed"


def test_a_lost_message_is_queued_again(
    platform_client, signed_report, queued, django_capture_on_commit_callbacks
):
    _, item = pushed(platform_client, signed_report, django_capture_on_commit_callbacks)
    queued.clear()
    assert sealing.requeue_stalled() == 0  # queued a moment ago: give the worker time
    old = timezone.now() - dt.timedelta(minutes=10)
    SealJob.objects.filter(item=item).update(updated_at=old)
    assert sealing.requeue_stalled() == 1 and queued == [item.pk]
    assert sealing.requeue_stalled() == 0  # not again at once


def test_a_broker_that_is_down_does_not_fail_the_push(
    platform_client, signed_report, monkeypatch, django_capture_on_commit_callbacks
):
    def down(item_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr("push.tasks.seal_item.delay", down)
    receipt, item = pushed(platform_client, signed_report, django_capture_on_commit_callbacks)
    assert receipt["seal"]["status"] == "pending"
    assert item.seal_job.status == SealJob.Status.PENDING  # the sweeper's to queue


def test_a_failing_seal_is_retried_then_given_up(
    platform_client,
    signed_report,
    queued,
    django_capture_on_commit_callbacks,
    settings,
    monkeypatch,
):
    _, item = pushed(platform_client, signed_report, django_capture_on_commit_callbacks)
    settings.HEDANG_PUSH_SEAL_ATTEMPTS = 2

    def unreadable(sha256, **kw):
        raise OSError("storage unreachable")

    monkeypatch.setattr("push.sealing.read_blob", unreadable)
    assert sealing.seal_item(item.pk, "w1") == "retry"
    job = SealJob.objects.get(item=item)
    assert job.status == "pending" and "storage unreachable" in job.error
    assert job.lease_until > timezone.now()  # backs off; the sweeper retries it later
    SealJob.objects.filter(pk=job.pk).update(lease_until=timezone.now())
    assert sealing.seal_item(item.pk, "w1") == "failed"
    job.refresh_from_db()
    assert job.status == SealJob.Status.FAILED and job.attempts == 2
    assert AuditEntry.objects.filter(action="fail", detail__step="seal").count() == 1
    assert sealing.requeue_stalled() == 0
    assert not item.files.filter(role=File.Role.SIGNED).exists()


def test_inline_mode_seals_before_the_receipt(platform_client, signed_report, settings, queued):
    settings.HEDANG_PUSH_SEAL = "inline"
    response = push(platform_client("420102"), report_meta(), signed_report())
    assert response.status_code == 201
    assert response.json()["seal"]["status"] == "sealed"
    item = Item.objects.get(archive_number=response.json()["archive_number"])
    assert item.files.filter(role=File.Role.SIGNED).count() == 1
    assert item.seal_job.status == SealJob.Status.SEALED
    assert queued == [] and seal_pending() == []


def test_print_copy_is_made_when_printed(platform_client, signed_report, client_for):
    response = push(platform_client("420102"), report_meta(), signed_report())
    item = Item.objects.get(archive_number=response.json()["archive_number"])
    task = PrintTask.objects.get(item=item)
    assert task.file is None and not item.files.filter(role=File.Role.PRINT).exists()
    client, user = client_for("420102", "档案管理员")
    done = client.post(f"/api/v1/print-tasks/{item.archive_number}/printed")
    assert done.status_code == 200, done.content
    assert done.json()["file"]["sha256"]
    task.refresh_from_db()
    assert task.status == PrintTask.Status.PRINTED
    assert task.file.role == File.Role.PRINT
    copy = AuditEntry.objects.filter(action="create", object_type="archive.File", actor=user)
    assert copy.get().object_id == str(task.file_id)


def test_print_copy_outside_the_jurisdiction_is_not_made(
    platform_client, signed_report, client_for
):
    response = push(platform_client("420102"), report_meta(), signed_report())
    number = response.json()["archive_number"]
    other, _ = client_for("420103", "档案管理员")
    assert other.post(f"/api/v1/print-tasks/{number}/copy").status_code == 404
    assert not File.objects.filter(role=File.Role.PRINT).exists()


def sealing_message(status: str) -> str:
    from push.platform import SEAL_DONE, SEAL_PENDING

    return (SEAL_PENDING if status == "pending" else SEAL_DONE)["message"]


def test_the_sweeper_runs_every_minute(settings):
    from config.celery import app

    (entry,) = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "push.tasks.requeue_stalled_seals"
    ]
    assert entry["schedule"] <= 60
    app.loader.import_default_modules()
    assert {"push.tasks.seal_item", "push.tasks.requeue_stalled_seals"} <= set(app.tasks)


def found(archive_number: str) -> bool:
    from search import service as search_service

    hits = search_service.search(archive_number, search_service.UNRESTRICTED).hits
    return archive_number in {h.archive_number for h in hits}


def test_a_pushed_item_is_searchable_when_its_receipt_is_given(
    platform_client, signed_report, queued, django_capture_on_commit_callbacks
):
    """Indexed right after the filing commits (outside the filing transaction, which holds
    the 件号 counter), before the receipt: the seal worker does not index it."""
    from search import service as search_service

    receipt, item = pushed(platform_client, signed_report, django_capture_on_commit_callbacks)
    assert item.seal_job.status == SealJob.Status.PENDING
    assert found(item.archive_number)
    assert search_service.check().ok
    assert seal_pending() == ["sealed"]
    assert found(item.archive_number)
    assert search_service.check().ok


def test_an_item_sealed_inline_is_indexed_in_the_filing(
    platform_client, signed_report, settings, queued
):
    settings.HEDANG_PUSH_SEAL = "inline"
    response = push(platform_client("420102"), report_meta(), signed_report())
    assert found(response.json()["archive_number"])


def test_an_index_failure_does_not_fail_the_push(
    platform_client, signed_report, queued, django_capture_on_commit_callbacks, monkeypatch
):
    """Filed is filed: the receipt is given, search_check names the item missing."""
    from search import service as search_service

    def down(item, **kwargs):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(search_service, "index_written", down)
    receipt, item = pushed(platform_client, signed_report, django_capture_on_commit_callbacks)
    assert receipt["archive_number"] == item.archive_number
    monkeypatch.undo()
    assert search_service.check().missing == (item.archive_number,)
    assert seal_pending() == ["sealed"]
