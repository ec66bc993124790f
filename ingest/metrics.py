"""Ingest's figures for /metrics (registered on the ``hedang_metrics`` hook of the ops app)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from ingest.models import Document

BACKLOG = (Document.Status.QUEUED, Document.Status.PROCESSING)


def ingest_metrics() -> Iterator[Metric]:
    backlog = GaugeMetricFamily(
        "hedang_ocr_backlog", "Documents waiting for or in OCR and filing", labels=["status"]
    )
    rows = Document.objects.filter(status__in=BACKLOG).values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    for status in BACKLOG:
        backlog.add_metric([status], counts.get(status, 0))
    yield backlog
    oldest = Document.objects.filter(status__in=BACKLOG).aggregate(t=Min("created_at"))["t"]
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    yield GaugeMetricFamily(
        "hedang_ocr_backlog_oldest_seconds", "Age of the oldest unfinished document", value=age
    )
    yield GaugeMetricFamily(
        "hedang_documents_failed",
        "Documents left in 需处理 (a step failed; waiting for a retry)",
        value=Document.objects.filter(status=Document.Status.ATTENTION).count(),
    )
