"""Celery tasks of the ingest pipeline: OCR on its own queue, quick work on the default one.

Messages may be lost (kombu's filesystem transport deletes a message when it is fetched) or
delivered twice (Redis redelivers unacknowledged ones); neither matters, because every step is
idempotent and a sweeper re-queues documents whose worker's lease ran out.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ingest import ocr, ocrtemp, pipeline
from ingest.models import Document

Status = Document.Status


@shared_task(bind=True, acks_late=True)
def ocr_document(self, document_id: int) -> None:
    document = pipeline.claim(document_id, self.request.hostname or "celery")
    if document is None:
        return
    try:
        pipeline.ocr_step(document)
    except Exception as exc:  # visible "needs attention" state, original kept
        pipeline.fail(document, exc)
        return
    Document.objects.filter(pk=document_id).update(lease_until=None)
    file_document.delay(document_id)


@shared_task(bind=True, acks_late=True)
def file_document(self, document_id: int) -> None:
    document = pipeline.claim(document_id, self.request.hostname or "celery")
    if document is None:
        return
    try:
        if not document.ocr_sha256:
            pipeline.ocr_step(document)  # a lost OCR message: do it here rather than stall
        pipeline.file_step(document)
    except Exception as exc:
        pipeline.fail(document, exc)


def enqueue(document: Document) -> None:
    if document.status not in (Status.QUEUED, Status.PROCESSING):
        return
    if document.ocr_sha256:
        file_document.delay(document.pk)
    else:
        ocr_document.delay(document.pk)


@shared_task
def recover_stalled() -> int:
    """Re-queue documents nobody is working on: lease expired, or queued and forgotten."""
    now = timezone.now()
    quiet = now - dt.timedelta(seconds=getattr(settings, "HEDANG_INGEST_REQUEUE_AFTER", 600))
    stalled = Document.objects.filter(
        Q(status=Status.PROCESSING, lease_until__lt=now)
        | Q(status=Status.QUEUED, updated_at__lt=quiet)
    )
    count = 0
    for document in stalled:
        Document.objects.filter(pk=document.pk).update(updated_at=now)
        enqueue(document)
        count += 1
    ocrtemp.sweep()  # temporary OCR folders of workers that died
    return count


@worker_ready.connect
def _reclaim_own_work(sender=None, **kwargs) -> None:
    """A worker restarted under the same name takes back what its previous life left."""
    ocrtemp.sweep()
    hostname = getattr(sender, "hostname", None)
    if not hostname:
        return
    orphans = Document.objects.filter(status=Status.PROCESSING, worker=hostname)
    for document in orphans:
        Document.objects.filter(pk=document.pk).update(lease_until=None)
        enqueue(document)


@worker_process_init.connect
def _load_ocr(**kwargs) -> None:
    """Each pool process loads ocrmypdf and the OCR models once; a document's OCR runs in a
    child forked from it (ingest.ocr), so no document loads them again."""
    ocr.one_thread()
    ocr.warm(pipeline.ocr_settings().tables)
