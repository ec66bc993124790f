"""No 5xx, no resource exhaustion (issue 12, medium)."""

from __future__ import annotations

import io
import threading
import zlib

import pikepdf
import pytest
from django.db import connection
from rest_framework.test import APIClient

from archive.models import AuditEntry, Household
from archive.storage import BlobDamaged, blob_name, open_blob
from ingest import sniff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["post", "put"])
@pytest.mark.parametrize("path", ["/api/v1/agencies", "/api/v1/audit", "/api/v1/items"])
def test_writes_on_read_only_resources_are_405_json(client_for, method, path):
    client, _ = client_for("420102")
    response = getattr(client, method)(path, {"x": 1}, format="json")
    assert response.status_code == 405, response.content
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_schema_does_not_advertise_them(client_for):
    import yaml

    client, _ = client_for("420102")
    schema = yaml.safe_load(client.get("/api/v1/schema").content)
    for path in ("/api/v1/agencies", "/api/v1/audit", "/api/v1/items"):
        assert set(schema["paths"][path]) <= {"get", "head", "options", "parameters"}, path
    assert "post" in schema["paths"]["/api/v1/households"]


def test_schema_and_docs_need_a_login(anon):
    assert anon.get("/api/v1/schema").status_code in (401, 403)
    assert anon.get("/api/v1/docs").status_code in (401, 403)


def test_deeply_nested_json_is_400(client_for):
    client, _ = client_for("420102")
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/households", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    nested = '{"a":' * 1000 + "1" + "}" * 1000
    assert (
        client.post("/api/v1/households", nested, content_type="application/json").status_code
        == 400
    )


def test_ordinary_json_still_parses(client_for):
    client, _ = client_for("420102")
    response = client.post(
        "/api/v1/households", {"head_id_number": "x", "head_name": '[{"深"}]'}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "head_id_number"


def _page_bomb() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.pages[0].obj["/MediaBox"] = pikepdf.Array([0, 0, 20000, 20000])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _image_bomb() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    image = pikepdf.Stream(
        pdf,
        zlib.compress(bytes(20000 * 20000 // 8), 9),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=20000,
        Height=20000,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=1,
        Filter=pikepdf.Name.FlateDecode,
    )
    pdf.pages[0].obj["/Resources"] = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    pdf.pages[0].obj["/Contents"] = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize("make", [_page_bomb, _image_bomb])
def test_pdf_that_would_exhaust_memory_is_refused_at_the_door(make, make_user):
    import time

    from ingest import pipeline
    from ingest.models import Batch, Document

    data = make()
    assert len(data) < 100_000
    started = time.monotonic()
    with pytest.raises(sniff.Rejected, match="过大|超过上限"):
        sniff.sniff("bomb.pdf", data, sniff.Limits())
    user = make_user("420102")
    batch = Batch.objects.create(agency=user.agency, created_by=user, source="upload")
    [document] = pipeline.submit(batch, "bomb.pdf", data)
    assert document.status == Document.Status.REJECTED
    assert time.monotonic() - started < 10


def test_an_ordinary_a4_pdf_passes(make_item, make_household):
    from archive.pdf import text_pdf

    assert sniff.sniff("ok.pdf", text_pdf("核对报告", ["户主：张伟"]), sniff.Limits()).pages == 1


def test_damaged_blob_is_never_served_and_raises_an_alarm(
    client_for, make_household, make_item, tmp_path
):
    from archive.filing import file_item

    item = file_item(make_item(make_household("420102")))
    original = item.files.get(role="original")
    path = tmp_path / "files" / blob_name(original.sha256)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.chmod(0o640)
    path.write_bytes(bytes(data))
    client, _ = client_for("420102")
    response = client.get(f"/api/v1/items/{item.archive_number}/files/{original.sha256}")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "file_damaged"
    assert "ETag" not in response
    alarm = AuditEntry.objects.filter(action="alarm").latest("id")
    assert alarm.object_id == original.sha256
    with pytest.raises(BlobDamaged):
        open_blob(original.sha256)


def test_admin_download_of_a_damaged_blob_is_refused(
    client, make_user, make_household, make_item, tmp_path
):
    from django.urls import reverse

    item = make_item(make_household("420102"))
    original = item.files.get(role="original")
    path = tmp_path / "files" / blob_name(original.sha256)
    path.chmod(0o640)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    client.force_login(make_user("420102"))
    response = client.get(reverse("archive_item:download", args=(original.pk,)))
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action="alarm").exists()


@pytest.mark.parametrize("field", ["head_name"])
def test_bidi_override_refused_in_names(client_for, make_household, field):
    client, _ = client_for("420102")
    household = make_household("420102")
    response = client.patch(
        f"/api/v1/households/{household.pk}", {field: "张伟\u202e4321"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bidi_control"
    member = household.members.get()
    response = client.patch(f"/api/v1/members/{member.pk}", {"name": "\u2066李娜"}, format="json")
    assert response.status_code == 400
    household.refresh_from_db()
    assert "\u202e" not in household.head_name


def test_bidi_refused_on_direct_saves_too(hubei):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Household.objects.create(
            agency=hubei["420102"], head_id_number="420102198503151234", head_name="张\u202e伟"
        )


def test_security_headers(client, make_user):
    client.force_login(make_user("420102"))
    response = client.get("/admin/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    api = client.get("/api/v1/households")
    assert "Content-Security-Policy" in api and "Permissions-Policy" in api


def test_ocr_temp_folders_of_dead_workers_are_swept(settings, tmp_path):
    import os
    import subprocess
    import sys

    from ingest import ocrtemp

    settings.DATA_DIR = tmp_path
    with ocrtemp.ocr_tempdir() as live:
        assert os.stat(live).st_mode & 0o777 == 0o700
        # A worker that died in the middle (SIGKILL) left its folder behind.
        dead = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        )
        pid = int(dead.stdout)
        orphan = ocrtemp.root() / f"{ocrtemp._host()}-{pid}-abc123"
        (orphan / "pages").mkdir(parents=True)
        (orphan / "pages" / "p1.png").write_bytes(b"x")
        removed = ocrtemp.sweep()
        assert orphan.name in removed and not orphan.exists()
        assert os.path.isdir(live)  # the live worker's folder stays
    assert not os.path.exists(live)


@pytest.mark.django_db(transaction=True)
def test_rate_limit_is_atomic_under_threads(token_for, settings):
    """16 threads, 160 requests against 40 a day: exactly 40 get through.

    The windows are aligned to the clock (archive/ratelimit.py); a per-minute limit let a
    second window's 21 requests through when CI's loaded machine took past a minute boundary.
    """
    from tests.push.conftest import post

    settings.HEDANG_PUSH_RATE = "40/day"
    secret, _ = token_for("420102")
    barrier = threading.Barrier(16)
    codes: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        try:
            barrier.wait(timeout=30)
            for _ in range(10):
                status = post(client, "/api/v1/reports", "{", None).status_code
                with lock:
                    codes.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(codes) == 160
    assert codes.count(400) == 40, sorted(set(codes))
    assert codes.count(429) == 120


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_counter_is_atomic_on_each_backend(settings, backend):
    """archive.ratelimit.hit from 16 threads: every count is distinct (no lost update)."""
    import os
    import uuid

    from django.core.cache import caches

    from archive import ratelimit

    if backend == "redis":
        url = os.environ.get("CELERY_BROKER_URL", "")
        if not url.startswith("redis://"):
            pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://…")
        settings.CACHES = {
            **settings.CACHES,
            "platform": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "hedang-test",
            },
        }
    else:
        settings.CACHES = {
            **settings.CACHES,
            "platform": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        }
    assert caches["platform"].__class__.__name__ == (
        "RedisCache" if backend == "redis" else "LocMemCache"
    )  # the settings fixture resets the cache handler
    key = f"test-{uuid.uuid4().hex}"
    barrier = threading.Barrier(16)
    counts: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(10):
                count, _ = ratelimit.hit(key, 3600)
                with lock:
                    counts.append(count)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(counts) == list(range(1, 161))
    client, _ = ratelimit._redis_client()
    assert (client is not None) == (backend == "redis")
