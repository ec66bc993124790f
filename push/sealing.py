"""The archive's seal on a pushed item's access copy, made by a worker after the receipt.

``HEDANG_PUSH_SEAL`` chooses where the seal is made:

* ``"worker"`` (the default): the push files the item with its original and a
  :class:`~push.models.SealJob`, answers (the receipt says 已接收，封存中) and, after the
  commit, queues :func:`push.tasks.seal_item`. The worker takes the job under a lease, seals
  the original, and in one transaction adds the sealed copy (role ``signed``) and marks the
  job sealed. Running it twice, or two workers at once, adds one sealed copy: the second
  finds the job sealed. A worker that dies leaves its lease to run out; the sweeper
  (:func:`requeue_stalled`, every minute from Celery beat) queues the job again, and a worker
  restarted under the same name takes back its own jobs at once.
* ``"inline"``: the request seals before it answers, as before (one process, no worker).

The stamp shows the keeping agency, 电子档案归档章 and the filing date (not the moment of
sealing, so a retry draws the same stamp; the signature itself carries the signing time).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from archive import audit, certificates, signing
from archive.models import File, Item
from archive.storage import read_blob, store_bytes
from push.models import SealJob

log = logging.getLogger(__name__)
PDF = "application/pdf"
Status = SealJob.Status


class SealRefused(Exception):
    """pyHanko reads the file but cannot add the seal to it."""


def deferred() -> bool:
    return getattr(settings, "HEDANG_PUSH_SEAL", "worker") != "inline"


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "HEDANG_PUSH_SEAL_LEASE_SECONDS", 300))


def max_attempts() -> int:
    return getattr(settings, "HEDANG_PUSH_SEAL_ATTEMPTS", 5)


def seal_copy(data: bytes, agency_name: str, filed_at: dt.datetime) -> bytes:
    """The original with the archive's visible seal; :class:`SealRefused` when impossible."""
    try:
        return signing.seal_pdf(data, signing.stamp_lines(agency_name, filed_at))
    except certificates.CertificateError:
        raise  # the archive's configuration, not the file
    except Exception as exc:  # a file pyHanko reads but cannot extend
        log.warning("sealing failed: %r", exc)
        raise SealRefused(f"无法在此 PDF 上加盖归档签章：{exc}") from exc


def enqueue(item_id: int) -> None:
    """Queue the seal of ``item_id``; a broker that is down leaves it to the sweeper."""
    from push.tasks import seal_item as task

    try:
        task.delay(item_id)
    except Exception:  # noqa: BLE001 — the job row is the promise; the sweeper keeps it
        log.exception("could not queue the seal of item %s; the sweeper will", item_id)


def claim(item_id: int, worker: str) -> SealJob | None:
    """Take the item's seal job for ``worker`` unless it is done or leased by a live worker."""
    now = timezone.now()
    with transaction.atomic():
        job = SealJob.objects.select_for_update().filter(item_id=item_id).first()
        if job is None or job.status != Status.PENDING:
            return None
        if job.lease_until and job.lease_until > now and job.worker != worker:
            return None
        job.worker = worker
        job.lease_until = now + lease()
        job.attempts += 1
        job.save(update_fields=["worker", "lease_until", "attempts", "updated_at"])
    return job


def batch_size() -> int:
    return max(1, getattr(settings, "HEDANG_PUSH_SEAL_BATCH", 8))


def seal_item(item_id: int, worker: str) -> str:
    """Seal the item's access copy: ``"sealed"``, ``"skipped"`` (done, or another worker's),
    ``"retry"`` (failed, the sweeper retries after the lease) or ``"failed"`` (given up).

    With its own job the worker also takes up to ``HEDANG_PUSH_SEAL_BATCH`` - 1 other jobs
    that nobody has taken yet (a backlog): one claim, one query for the originals and one
    transaction to attach the copies for all of them. Their own messages then find them
    sealed with one read and skip."""
    if not SealJob.objects.filter(item_id=item_id, status=Status.PENDING).exists():
        return "skipped"  # sealed already (by a batch): no transaction, no lock
    jobs = _claim_batch(item_id, worker)
    if not jobs:
        return "skipped"
    return _seal_jobs(jobs, worker)[item_id]


def _claim_batch(item_id: int, worker: str) -> list[SealJob]:
    """The item's job (as :func:`claim`) and, if it was taken, pending jobs nobody holds."""
    now = timezone.now()
    with transaction.atomic():
        job = SealJob.objects.select_for_update().filter(item_id=item_id).first()
        if job is None or job.status != Status.PENDING:
            return []
        if job.lease_until and job.lease_until > now and job.worker != worker:
            return []
        jobs = [job]
        if batch_size() > 1:
            # Never taken (no lease): not another worker's. SKIP LOCKED on PostgreSQL, so two
            # workers taking batches at once do not wait for each other's rows.
            jobs += list(
                SealJob.objects.select_for_update(skip_locked=True)
                .filter(status=Status.PENDING, lease_until__isnull=True)
                .exclude(pk=job.pk)
                .order_by("pk")[: batch_size() - 1]
            )
        until = now + lease()
        SealJob.objects.filter(pk__in=[j.pk for j in jobs]).update(
            worker=worker, lease_until=until, attempts=F("attempts") + 1, updated_at=now
        )
    for each in jobs:
        each.worker, each.lease_until, each.attempts = worker, until, each.attempts + 1
    return jobs


def _seal_jobs(jobs: list[SealJob], worker: str) -> dict[int, str]:
    """Seal every claimed job's original; failures are recorded per job."""
    originals: dict[int, File] = {}
    for original in (
        File.objects.filter(item_id__in=[j.item_id for j in jobs], role=File.Role.ORIGINAL)
        .select_related("item__agency")
        .order_by("-pk")
    ):
        originals[original.item_id] = original  # the first (lowest pk) wins
    results: dict[int, str] = {}
    done: list[tuple[SealJob, Item, object]] = []
    for job in jobs:
        original = originals.get(job.item_id)
        try:
            if original is None:
                raise SealRefused("件没有原件，无法加盖归档签章")
            item = original.item
            sealed = seal_copy(read_blob(original.sha256), item.agency.name, item.filed_at)
            done.append((job, item, store_bytes(sealed)))
        except Exception as exc:  # noqa: BLE001 — recorded on the job, retried or given up
            results[job.item_id] = _failed(job, exc)
    if done:
        results.update(_attach(done, worker))
    return results


def _attach(done: list[tuple[SealJob, Item, object]], worker: str) -> dict[int, str]:
    results: dict[int, str] = {}
    with transaction.atomic():
        locked = SealJob.objects.select_for_update().filter(pk__in=[job.pk for job, _, _ in done])
        sealed_before = {j.pk for j in locked if j.status == Status.SEALED}
        fresh = []
        for job, item, blob in done:
            if job.pk in sealed_before:
                results[item.pk] = "skipped"  # another worker finished first; its copy stands
                continue
            fresh.append((job, item, blob))
        # bulk_create: no per-row signal entries (they were suppressed before too); the
        # operation log gets one entry per sealed copy below, in the same transaction.
        copies = File.objects.bulk_create(
            File(
                item=item,
                role=File.Role.SIGNED,
                sha256=blob.sha256,
                size=blob.size,
                media_type=PDF,
                original_name="sealed.pdf",
            )
            for _job, item, blob in fresh
        )
        now = timezone.now()
        SealJob.objects.filter(pk__in=[job.pk for job, _, _ in fresh]).update(
            status=Status.SEALED, sealed_at=now, lease_until=None, error="", updated_at=now
        )
        for (_job, item, blob), copy in zip(fresh, copies, strict=True):
            audit.record(
                audit.Action.CREATE,
                copy,
                object_repr=f"{item.archive_number} 归档签章副本",
                detail={"source": "platform_seal", "sha256": blob.sha256, "worker": worker},
            )
            results[item.pk] = "sealed"
    return results


def _failed(job: SealJob, exc: Exception) -> str:
    message = f"{type(exc).__name__}: {exc}"[:2000]
    give_up = isinstance(exc, SealRefused) or job.attempts >= max_attempts()
    now = timezone.now()
    if give_up:
        SealJob.objects.filter(pk=job.pk).update(
            status=Status.FAILED, error=message, lease_until=None, updated_at=now
        )
        audit.record(
            audit.Action.FAIL,
            job.item,
            detail={"step": "seal", "error": message, "attempts": job.attempts},
        )
        return "failed"
    # Not before the backoff: the sweeper re-queues it once this lease has run out.
    backoff = dt.timedelta(seconds=min(300, 10 * 2**job.attempts))
    SealJob.objects.filter(pk=job.pk).update(
        error=message, lease_until=now + backoff, updated_at=now
    )
    log.warning("seal of item %s failed (attempt %d): %s", job.item_id, job.attempts, message)
    return "retry"


def requeue_stalled() -> int:
    """Queue again every pending job nobody works on: its lease ran out, or it was never
    taken (a lost message) for ``HEDANG_PUSH_SEAL_REQUEUE_AFTER`` seconds."""
    now = timezone.now()
    quiet = now - dt.timedelta(seconds=getattr(settings, "HEDANG_PUSH_SEAL_REQUEUE_AFTER", 120))
    stalled = SealJob.objects.filter(status=Status.PENDING).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, updated_at__lt=quiet)
    )
    ids = list(stalled.values_list("item_id", flat=True)[:5000])
    for item_id in ids:
        enqueue(item_id)
    SealJob.objects.filter(item_id__in=ids).update(updated_at=now)
    return len(ids)


def reclaim(worker: str) -> int:
    """A worker restarted under the same name takes back what its previous life held."""
    ids = list(
        SealJob.objects.filter(status=Status.PENDING, worker=worker).values_list(
            "item_id", flat=True
        )
    )
    SealJob.objects.filter(item_id__in=ids).update(lease_until=None)
    for item_id in ids:
        enqueue(item_id)
    return len(ids)


def pending_ids() -> list[int]:
    return list(SealJob.objects.filter(status=Status.PENDING).values_list("item_id", flat=True))


def state(item: Item) -> dict:
    """What the item's seal job says, for the API: ``{"status", "message", "sealed_at"}``."""
    job = SealJob.objects.filter(item=item).first()
    if job is None:
        sealed = item.files.filter(role=File.Role.SIGNED).exists()
        status = Status.SEALED if sealed else None
        return {
            "status": status,
            "message": "已封存" if sealed else "无归档签章",
            "sealed_at": None,
        }
    message = job.get_status_display()
    if job.status == Status.FAILED:
        message = f"封存失败：{job.error}"
    return {"status": job.status, "message": message, "sealed_at": job.sealed_at}
