"""Prometheus metrics at /metrics (prometheus-client's text format).

Two kinds of figures:
- counted in the web process as requests pass (``RequestMetricsMiddleware``): requests by
  method and status class, and their duration. Under gunicorn with several workers set
  ``PROMETHEUS_MULTIPROC_DIR`` (an empty folder, emptied at each start) so that every
  worker's counts are added up.
- read when scraped (``StateCollector``): broker queue lengths, pushes, alarms of the
  operation log (fixity checks record 告警), and whatever the apps add through the
  ``hedang_metrics`` hook (ingest: OCR backlog and its age, failed documents).

The page is not public: a request needs ``Authorization: Bearer <HEDANG_METRICS_TOKEN>`` or
must come from an address in ``HEDANG_METRICS_ALLOWED``.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from wagtail import hooks

REQUESTS = Counter(
    "hedang_http_requests", "HTTP requests answered", ["method", "status"], registry=None
)
LATENCY = Histogram(
    "hedang_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=None,
)
QUEUES = ("celery", "ocr")


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        method = (
            request.method
            if request.method in {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}
            else "other"
        )
        REQUESTS.labels(method, f"{response.status_code // 100}xx").inc()
        LATENCY.labels(method).observe(time.perf_counter() - started)
        return response


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each Celery queue (Redis lists, or the filesystem broker's files)."""
    from celery import current_app as celery_app

    conf = celery_app.conf
    if conf.broker_url.startswith("filesystem"):
        folder = Path(conf.broker_transport_options["data_folder_out"])
        names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        return {q: sum(1 for n in names if n.endswith(f".{q}.msg")) for q in QUEUES}
    with celery_app.connection_for_read() as conn:
        channel = conn.default_channel
        return (
            {q: channel.client.llen(q) for q in QUEUES}
            if hasattr(channel, "client")
            else {q: channel.queue_declare(q, passive=True).message_count for q in QUEUES}
        )


def _receipts_model():
    """The push receipts, wherever the push app keeps its model (looked up, not imported)."""
    for label in ("push", "archive"):
        try:
            return apps.get_model(label, "PlatformReceipt")
        except LookupError:
            continue
    return None


class StateCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        from archive.models import AuditEntry

        queues = GaugeMetricFamily(
            "hedang_queue_length", "Messages waiting in a Celery queue", labels=["queue"]
        )
        try:
            for queue, length in queue_lengths().items():
                queues.add_metric([queue], length)
        except Exception:  # noqa: BLE001 - an unreachable broker shows as no samples
            pass
        yield queues
        pushes = CounterMetricFamily(
            "hedang_pushes", "Pushes filed from the platform", labels=["kind"]
        )
        if (model := _receipts_model()) is not None:
            for row in model.objects.values("kind").annotate(n=Count("id")):
                pushes.add_metric([row["kind"]], row["n"])
        yield pushes
        alarms = CounterMetricFamily(
            "hedang_alarms",
            "告警 entries of the operation log (fixity checks and others), by object type",
            labels=["object_type"],
        )
        rows = (
            AuditEntry.objects.filter(action=AuditEntry.Action.ALARM)
            .values("object_type")
            .annotate(n=Count("id"))
        )
        for row in rows:
            alarms.add_metric([row["object_type"] or "-"], row["n"])
        yield alarms
        for fn in hooks.get_hooks("hedang_metrics"):
            yield from fn()


def registry() -> CollectorRegistry:
    reg = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(reg)
    else:
        for metric in (REQUESTS, LATENCY):
            reg.register(metric)
    reg.register(StateCollector())
    return reg


def _allowed(request: HttpRequest) -> bool:
    token = settings.HEDANG_METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:], token):
        return True
    try:
        addr = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(addr in ipaddress.ip_network(net, strict=False) for net in _networks())


def _networks() -> Iterable[str]:
    return [n.strip() for n in settings.HEDANG_METRICS_ALLOWED if n.strip()]


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return JsonResponse(
            {"error": {"code": "forbidden", "message": "无权读取监控指标", "field": None}},
            status=403,
        )
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
