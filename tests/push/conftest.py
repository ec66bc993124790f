"""Fixtures of the platform-push tests: a test CA the archive trusts, the archive's own
sealing certificate, platform tokens, report PDFs and metadata, and store snapshots."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from archive.identifiers import resident_id_check_char
from tests.push import pki

HEAD = "420102198503151234"[:17]
HEAD_ID = HEAD + resident_id_check_char(HEAD)
SPOUSE = "42010219870101002"
SPOUSE_ID = SPOUSE + resident_id_check_char(SPOUSE)
FATHER = "42010219550505001"
FATHER_ID = FATHER + resident_id_check_char(FATHER)
REPORT = "第42010220240300017aaf1号"
AUTH = "居经授第420102202400000123号"


def person_id(region: str = "420102", birth: str = "19900101", seq: int = 1) -> str:
    body = f"{region}{birth}{seq:03d}"
    return body + resident_id_check_char(body)


@pytest.fixture(scope="session")
def test_ca() -> pki.CA:
    return pki.CA.create()


@pytest.fixture(scope="session")
def platform_signer(test_ca) -> pki.Signer:
    return test_ca.issue("湖北核对平台报告签章")


@pytest.fixture(scope="session")
def rogue_signer() -> pki.Signer:
    return pki.CA.create("不受信任的CA").issue("来历不明的签名人")


@pytest.fixture(scope="session")
def archive_keys(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("keys")
    return folder / "archive-key.pem", folder / "archive-cert.pem"


@pytest.fixture(autouse=True)
def platform_settings(settings, tmp_path, test_ca, archive_keys):
    """Trust the test CA; seal with a certificate made once per session; fresh throttle."""
    from django.core.cache import caches

    from archive import certificates

    trust = tmp_path / "trust"
    test_ca.write_pem(trust)
    settings.HEDANG_TRUST_ROOTS_DIR = trust
    settings.HEDANG_ARCHIVE_KEY, settings.HEDANG_ARCHIVE_CERT = archive_keys
    settings.HEDANG_PUSH_UNSIGNED = "flag"
    settings.HEDANG_PUSH_UNTRUSTED = "flag"
    settings.HEDANG_PUSH_RATE = "600/min"
    settings.CACHES = {
        **settings.CACHES,
        "platform": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    certificates.clear_caches()
    caches["platform"].clear()
    yield settings
    certificates.clear_caches()


@pytest.fixture
def token_for(hubei) -> Callable[..., tuple[str, object]]:
    """token_for("420102") → (the token's secret, the PlatformToken)."""
    from archive.tokens import create_token

    counter = iter(range(1, 1000))

    def make(region_code: str = "420102", name: str | None = None, **kw):
        issued = create_token(
            name or f"platform-{region_code}-{next(counter)}", hubei[region_code], **kw
        )
        return issued.secret, issued.token

    return make


@pytest.fixture
def platform_client(token_for) -> Callable[..., APIClient]:
    def make(region_code: str = "420102", secret: str | None = None) -> APIClient:
        if secret is None:
            secret, _ = token_for(region_code)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return client

    return make


def report_meta(
    report_number: str = REPORT,
    *,
    head_id: str = HEAD_ID,
    head_name: str = "张伟",
    issued_on: str = "2024-03-18",
    authorization_number: str | None = AUTH,
    **extra,
) -> dict:
    meta = {
        "report_number": report_number,
        "business_type": report_number[18:20] if report_number.startswith("第") else "aa",
        "entrusting_unit": "江岸区民政局",
        "issued_on": issued_on,
        "household": {
            "head": {"name": head_name, "id_number": head_id},
            "members": [
                {"name": "李娜", "id_number": SPOUSE_ID, "relation": "配偶", "co_resident": True}
            ],
            "obligors": [{"name": "张父", "id_number": FATHER_ID, "relation": "父亲"}],
        },
    }
    if authorization_number:
        meta["authorization_number"] = authorization_number
    meta.update(extra)
    return meta


@pytest.fixture
def signed_report(platform_signer) -> Callable[..., bytes]:
    def make(report_number: str = REPORT, **kw) -> bytes:
        return pki.sign_pdf(pki.report_pdf(report_number, **kw), platform_signer)

    return make


def post(client: APIClient, path: str, meta, pdf: bytes | None, name: str = "report.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form: dict = {}
    if meta is not None:
        form["metadata"] = meta if isinstance(meta, str) else json.dumps(meta, ensure_ascii=False)
    if pdf is not None:
        form["file"] = SimpleUploadedFile(name, pdf, content_type="application/pdf")
    return client.post(path, form, format="multipart")


def push(client: APIClient, meta, pdf: bytes | None, name: str = "report.pdf"):
    return post(client, "/api/v1/reports", meta, pdf, name)


def seal_pending() -> list[str]:
    """Run the worker's seal task on every pending seal job, as Celery would."""
    from push import sealing
    from push.tasks import seal_item

    return [seal_item.apply(args=[item_id]).get() for item_id in sealing.pending_ids()]


def blob_count(tmp_path: Path) -> int:
    folder = tmp_path / "files" / "blobs"
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


@pytest.fixture
def snapshot(tmp_path) -> Callable[[], dict]:
    """snapshot() → counts of everything a push may store (rows and blobs)."""
    from archive.models import (
        AuditEntry,
        Case,
        File,
        Household,
        Item,
        Member,
        Page,
        PlatformReceipt,
        PrintTask,
    )

    def take() -> dict:
        counts = {
            model.__name__: model.objects.count()
            for model in (Case, File, Household, Item, Member, Page, PlatformReceipt, PrintTask)
        }
        counts["blobs"] = blob_count(tmp_path)
        counts["audit"] = AuditEntry.objects.count()
        return counts

    return take


@pytest.fixture
def client_for(make_user):
    """client_for("420102", "档案管理员") → (APIClient logged in by session, user)."""

    def make(region_code: str, role: str | None = "档案管理员", **kw):
        user = make_user(region_code, role, **kw)
        client = APIClient()
        client.force_login(user)
        return client, user

    return make


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The item ids sent to the broker to be sealed (nothing runs them)."""
    sent: list[int] = []
    monkeypatch.setattr("push.tasks.seal_item.delay", sent.append)
    return sent
