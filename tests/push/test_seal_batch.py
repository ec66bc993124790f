"""The seal worker takes a backlog several jobs at a time (push/sealing.py): one task seals
its own item and the jobs nobody has taken yet, never another worker's leased job, and the
other items' messages then skip without sealing twice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from archive.identifiers import format_report_number
from archive.models import AuditEntry, File, Item
from archive.signing import check_signatures
from archive.storage import read_blob
from push import sealing
from push.models import SealJob
from tests.push.conftest import person_id, push, report_meta

pytestmark = pytest.mark.django_db


def push_reports(platform_client, signed_report, count: int) -> list[Item]:
    client = platform_client("420102")
    items = []
    for n in range(count):
        number = format_report_number("420102", 2024, 3, 200 + n, "aa", "f")
        meta = report_meta(number, head_id=person_id(seq=n + 1), authorization_number=None)
        response = push(client, meta, signed_report(number))
        assert response.status_code == 201, response.content
        items.append(Item.objects.get(archive_number=response.json()["archive_number"]))
    return items


def test_one_task_seals_the_backlog(platform_client, signed_report, queued, settings):
    settings.HEDANG_PUSH_SEAL_BATCH = 3
    items = push_reports(platform_client, signed_report, 4)
    # Another worker holds the last job under a live lease: it is not taken into the batch.
    held = items[-1]
    assert sealing.claim(held.pk, "other@host-b") is not None

    assert sealing.seal_item(items[0].pk, "celery@host-a") == "sealed"
    jobs = {j.item_id: j for j in SealJob.objects.all()}
    assert [jobs[i.pk].status for i in items] == ["sealed", "sealed", "sealed", "pending"]
    assert {jobs[i.pk].worker for i in items[:3]} == {"celery@host-a"}
    assert jobs[held.pk].worker == "other@host-b"
    # The other items' own messages skip: one sealed copy each, one log entry each.
    assert sealing.seal_item(items[1].pk, "celery@host-a") == "skipped"
    assert sealing.seal_item(items[2].pk, "celery@host-c") == "skipped"
    for item in items[:3]:
        copy = item.files.get(role=File.Role.SIGNED)
        sealed = read_blob(copy.sha256)
        assert sealed.startswith(read_blob(item.files.get(role=File.Role.ORIGINAL).sha256))
        report = check_signatures(sealed)
        assert report.valid and len(report.signatures) == 2
        assert jobs[item.pk].attempts == 1 and jobs[item.pk].sealed_at is not None
    entries = AuditEntry.objects.filter(detail__source="platform_seal")
    assert sorted(int(e.object_id) for e in entries) == sorted(
        item.files.get(role=File.Role.SIGNED).pk for item in items[:3]
    )
    # The held job is its worker's until the lease runs out.
    assert sealing.seal_item(held.pk, "celery@host-a") == "skipped"
    SealJob.objects.filter(item=held).update(lease_until=timezone.now())
    assert sealing.seal_item(held.pk, "celery@host-a") == "sealed"
    assert held.files.filter(role=File.Role.SIGNED).count() == 1


def test_a_failure_in_a_batch_stays_with_its_job(platform_client, signed_report, queued, settings):
    settings.HEDANG_PUSH_SEAL_BATCH = 8
    first, second = push_reports(platform_client, signed_report, 2)
    second.files.filter(role=File.Role.ORIGINAL).update(role=File.Role.ACCESS)

    assert sealing.seal_item(first.pk, "celery@host-a") == "sealed"
    job = SealJob.objects.get(item=second)
    assert job.status == SealJob.Status.FAILED and "原件" in job.error
    assert SealJob.objects.get(item=first).status == SealJob.Status.SEALED


def test_batch_of_one(platform_client, signed_report, queued, settings):
    settings.HEDANG_PUSH_SEAL_BATCH = 1
    first, second = push_reports(platform_client, signed_report, 2)
    assert sealing.seal_item(first.pk, "celery@host-a") == "sealed"
    assert SealJob.objects.get(item=second).status == SealJob.Status.PENDING
