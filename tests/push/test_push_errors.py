"""Bad input: a 4xx with {"error": {code, message, field}}, nothing stored, one log entry."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from archive.models import AuditEntry
from archive.tokens import revoke
from tests.push import pki
from tests.push.conftest import HEAD, HEAD_ID, REPORT, post, push, report_meta

pytestmark = pytest.mark.django_db

WRONG_CHECK = HEAD + ("0" if HEAD_ID[-1] != "0" else "1")


def with_head(meta: dict, id_number: str) -> dict:
    meta["household"]["head"]["id_number"] = id_number
    return meta


def without(key: str) -> dict:
    meta = report_meta()
    del meta[key]
    return meta


# (name, metadata, pdf kind, status, code, field)
CASES = [
    ("malformed JSON", '{"report_number": "第4201', "signed", 400, "invalid_json", "metadata"),
    ("metadata not an object", "[1, 2]", "signed", 400, "invalid", "metadata"),
    ("metadata missing", None, "signed", 400, "required", "metadata"),
    ("file missing", report_meta(), None, 400, "required", "file"),
    ("issued_on missing", without("issued_on"), "signed", 400, "required", "issued_on"),
    ("household missing", without("household"), "signed", 400, "required", "household"),
    (
        "report number format",
        report_meta("第4201022024030017aaf1号"),
        "signed",
        400,
        "length",
        "report_number",
    ),
    (
        "report nature letter",
        report_meta("第42010220240300017aax1号"),
        "signed",
        400,
        "nature",
        "report_number",
    ),
    (
        "head ID check digit",
        with_head(report_meta(), WRONG_CHECK),
        "signed",
        400,
        "check_digit",
        "household.head.id_number",
    ),
    (
        "member ID check digit",
        report_meta(
            household={
                "head": {"name": "张伟", "id_number": HEAD_ID},
                "members": [{"name": "李娜", "id_number": WRONG_CHECK, "relation": "配偶"}],
            }
        ),
        "signed",
        400,
        "check_digit",
        "household.members.0.id_number",
    ),
    (
        "authorization number",
        report_meta(authorization_number="居经授第4201022024123号"),
        "signed",
        400,
        "length",
        "authorization_number",
    ),
    (
        "issued_on vs number",
        report_meta(issued_on="2024-04-02"),
        "signed",
        422,
        "issued_on_mismatch",
        "issued_on",
    ),
    (
        "business code",
        report_meta(business_type="ab"),
        "signed",
        422,
        "business_type_mismatch",
        "business_type",
    ),
    ("nature", report_meta(nature="s"), "signed", 422, "nature_mismatch", "nature"),
    (
        "future date",
        report_meta(
            f"第420102{dt.date.today().year + 1}0100001aaf1号",
            issued_on=f"{dt.date.today().year + 1}-01-05",
        ),
        "signed",
        422,
        "future_date",
        "issued_on",
    ),
    (
        "region unknown",
        report_meta("第11010520240300017aaf1号"),
        "signed",
        422,
        "unknown_region",
        "report_number",
    ),
    (
        "region foreign",
        report_meta("第42010320240300017aaf1号"),
        "signed",
        403,
        "out_of_jurisdiction",
        "report_number",
    ),
    ("not a PDF", report_meta(), "text", 422, "not_pdf", "file"),
    ("broken PDF", report_meta(), "broken", 422, "not_pdf", "file"),
    ("empty file", report_meta(), "empty", 422, "not_pdf", "file"),
    ("tampered signature", report_meta(), "tampered", 422, "signature_invalid", "file"),
]


def make_pdf(kind: str | None, signer) -> bytes | None:
    if kind is None:
        return None
    if kind == "text":
        return "这不是 PDF，是一段文字。".encode()
    if kind == "empty":
        return b""
    signed = pki.sign_pdf(pki.report_pdf(REPORT), signer)
    if kind == "broken":
        return signed[:200]
    if kind == "tampered":
        return pki.tamper_bytes(signed)
    return signed


@pytest.mark.parametrize(
    ("name", "meta", "kind", "status", "code", "field"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_input_is_refused_and_nothing_stored(
    platform_client, platform_signer, snapshot, name, meta, kind, status, code, field
):
    client = platform_client("420102")
    pdf = make_pdf(kind, platform_signer)
    before = snapshot()
    response = push(client, meta, pdf)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "field"}
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + 1, "exactly one operation-log entry"
    assert after == before, "nothing stored"
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.detail["status"] == status
    assert entry.detail["error_code"] == code
    assert entry.action == ("denied" if status in (401, 403) else "reject")


def test_oversized_upload_is_413(platform_client, signed_report, snapshot, settings):
    client = platform_client()
    pdf = signed_report(pages=40)
    settings.HEDANG_PUSH_MAX_BYTES = len(pdf) - 1
    before = snapshot()
    response = push(client, report_meta(), pdf)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + 1
    assert after == before


def test_oversized_by_content_length_is_413_before_parsing(platform_client, settings, snapshot):
    client = platform_client()
    settings.HEDANG_PUSH_MAX_BYTES = 1000
    before = snapshot()
    response = push(client, report_meta(), b"%PDF-1.4\n" + b"0" * 2_000_000)
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": response.json()["error"]["message"],
        "field": "file",
    }
    assert snapshot()["audit"] == before["audit"] + 1


@pytest.mark.parametrize("how", ["unknown", "malformed", "revoked", "expired", "missing"])
def test_bad_tokens_are_401(token_for, signed_report, snapshot, how):
    secret, token = token_for("420102")
    if how == "unknown":
        secret = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    elif how == "malformed":
        secret = "not-a-token"
    elif how == "revoked":
        revoke(token.name)
    elif how == "expired":
        token.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        token.save()
    client = APIClient()
    if how != "missing":
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    pdf = signed_report()
    before = snapshot()
    response = push(client, report_meta(), pdf)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("authentication_failed", "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")
    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + 1
    assert after == before
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "denied"
    assert entry.actor is None
    assert secret not in str(entry.detail)  # never the secret
    if how in ("revoked", "expired"):
        assert entry.detail["token"] == token.prefix


def test_household_of_another_jurisdiction_is_not_named(
    platform_client, signed_report, make_household
):
    """Answered as for an unknown head: the county files its own household (issue 12;
    tests/security/test_leaks.py has the whole case)."""
    other = make_household("420103", "王芳")
    meta = with_head(report_meta(), other.head_id_number)
    response = push(platform_client("420102"), meta, signed_report())
    assert response.status_code == 201, response.content
    assert response.json()["archive_number"].startswith("Z420102")


def test_user_without_filing_permission_is_403(client_for, signed_report, snapshot):
    client, _ = client_for("420102", "信息管理")
    before = snapshot()
    response = push(client, report_meta(), signed_report())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert snapshot()["audit"] == before["audit"] + 1


def test_json_body_is_415(platform_client):
    response = platform_client().post("/api/v1/reports", report_meta(), format="json")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_rate_limit_per_token(platform_client, token_for, settings, snapshot):
    settings.HEDANG_PUSH_RATE = "2/day"  # clock-aligned windows: a minute could roll over
    secret, _ = token_for("420102")
    client = platform_client(secret=secret)
    other = platform_client("420102")
    for _ in range(2):
        assert post(client, "/api/v1/reports", "{", None).status_code == 400
    before = snapshot()
    limited = post(client, "/api/v1/reports", "{", None)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0
    assert snapshot()["audit"] == before["audit"] + 1
    assert post(other, "/api/v1/reports", "{", None).status_code == 400  # another token


def test_damaged_pdfs_never_cause_a_server_error(platform_client, platform_signer, snapshot):
    import random

    client = platform_client()
    signed = pki.sign_pdf(pki.report_pdf(REPORT), platform_signer)
    rng = random.Random(5)
    damaged = [signed[:n] for n in (9, 500, len(signed) // 2, len(signed) - 40)]
    damaged.append(b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(3000)))
    for _ in range(6):
        flipped = bytearray(signed)
        for _ in range(20):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        damaged.append(bytes(flipped))
    before = snapshot()
    for data in damaged:
        response = push(client, report_meta(), data)
        assert 400 <= response.status_code < 500, response.content
        assert response.json()["error"]["field"] == "file"
    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + len(damaged)
    assert after == before
