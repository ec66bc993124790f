"""``/healthz`` (the process answers) and ``/readyz`` (it can do its work).

Readiness checks each part the web process needs, with a short timeout each, and answers
503 naming the parts that failed, so a load balancer takes the host out and an operator sees
why. Neither page needs a login nor shows anything but the parts' state.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from archive.storage import archive_storage
from ops import objects


def check_database() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()


def check_broker() -> None:
    from celery import current_app as celery_app

    with celery_app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        if conn.transport_cls == "filesystem" or celery_app.conf.broker_url.startswith(
            "filesystem"
        ):
            return
        conn.default_channel.client.ping()


def check_storage() -> None:
    storage = archive_storage()
    if objects.is_s3(storage):
        objects.s3_client(storage).head_bucket(Bucket=storage.bucket_name)
    else:
        # A fresh installation has no folder yet: ready if it can be made and written.
        root = Path(storage.location)
        root.mkdir(parents=True, exist_ok=True)
        if not os.access(root, os.W_OK | os.X_OK):
            raise PermissionError(f"不可写：{root}")


def check_search() -> None:
    from search import UNRESTRICTED, search

    search("核档", UNRESTRICTED, limit=1, facets=False)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
    "search": check_search,
}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    results, failed = {}, []
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            failed.append(name)
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            results[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    body = {"status": "fail" if failed else "ok", "failed": failed, "checks": results}
    return JsonResponse(
        body, status=503 if failed else 200, json_dumps_params={"ensure_ascii": False}
    )
