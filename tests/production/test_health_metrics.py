"""/healthz, /readyz and /metrics against the real parts of the test installation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


def test_healthz_answers_without_database(client):
    response = client.get("/healthz")  # no django_db mark: a query here would raise
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_all_parts_reachable(client, hubei):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["checks"]) == {"database", "broker", "storage", "search"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_readyz_names_the_part_that_failed(client, hubei, settings, tmp_path, monkeypatch):
    from django.core.files.storage import storages

    from config import celery_app

    saved = celery_app.conf.broker_url
    dead = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    monkeypatch.setenv("CELERY_BROKER_URL", dead)  # Celery prefers the environment's URL
    celery_app.conf.broker_url = dead
    celery_app._pool = None
    (tmp_path / "a-file").write_text("not a folder")
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "a-file")},
        },
    }
    storages._storages = {}
    try:
        response = client.get("/readyz")
    finally:
        celery_app.conf.broker_url = saved
        celery_app._pool = None
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "fail" and body["failed"] == ["broker", "storage"]
    assert body["checks"]["database"]["ok"] and body["checks"]["search"]["ok"]
    assert body["checks"]["storage"]["ok"] is False and body["checks"]["storage"]["error"]


@pytest.fixture
def ingest_state(hubei):
    """Two documents waiting (the older queued an hour ago), one failed, one alarm entry."""
    from archive import audit
    from archive.models import AuditEntry
    from ingest.models import Batch, Document

    batch = Batch.objects.create(source=Batch.Source.COMMAND, agency=hubei["420102"])
    for n, status in enumerate(["queued", "processing", "attention", "filed"]):
        Document.objects.create(batch=batch, original_name=f"{n}.pdf", status=status)
    Document.objects.filter(original_name="0.pdf").update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    audit.record(
        AuditEntry.Action.ALARM, object_type="archive.File", object_repr="固定性检查：哈希不符"
    )


def _sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in metrics:\n{text}")


@pytest.mark.django_db
def test_metrics_figures(client, ingest_state, settings):
    client.get("/healthz")
    response = client.get("/metrics")  # the test client comes from 127.0.0.1: allowed
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert _sample(text, 'hedang_http_requests_total{method="GET",status="2xx"}') >= 1
    assert _sample(text, 'hedang_ocr_backlog{status="queued"}') == 1
    assert _sample(text, 'hedang_ocr_backlog{status="processing"}') == 1
    assert 3500 < _sample(text, "hedang_ocr_backlog_oldest_seconds") < 3700
    assert _sample(text, "hedang_documents_failed") == 1
    assert _sample(text, 'hedang_alarms_total{object_type="archive.File"}') == 1
    assert 'hedang_queue_length{queue="ocr"}' in text
    assert "# TYPE hedang_pushes_total counter" in text


@pytest.mark.django_db
def test_metrics_protected(client, settings):
    settings.HEDANG_METRICS_TOKEN = "s3cret-token"
    settings.HEDANG_METRICS_ALLOWED = ["10.0.0.0/8"]
    outside = client.get("/metrics", REMOTE_ADDR="192.168.1.9")
    assert outside.status_code == 403 and outside.json()["error"]["code"] == "forbidden"
    wrong = client.get("/metrics", REMOTE_ADDR="192.168.1.9", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    token = client.get(
        "/metrics", REMOTE_ADDR="192.168.1.9", HTTP_AUTHORIZATION="Bearer s3cret-token"
    )
    assert token.status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
