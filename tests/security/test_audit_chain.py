"""The operation log (issue 12, medium): a keyed chain, anchored outside the database, so
truncation and re-hashing are found; reads of personal data, before/after values, page size
limits, failed logins' agency, the client address from trusted proxies only."""

from __future__ import annotations

import json
import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory

from archive import audit
from archive.audit_anchor import anchor_now, anchors
from archive.models import AuditEntry, AuditHead
from archive.models.audit import entry_hash

pytestmark = pytest.mark.django_db


def _entries(n: int, household) -> None:
    for i in range(n):
        audit.record(audit.Action.VIEW, household, detail={"n": i})


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as c:
        c.execute(sql, params)


def _rehash_plain(rows) -> None:
    """The forger's move: re-chain the remaining rows with plain SHA-256 and fix the head."""
    prev = "0" * 64
    for e in rows:
        h = entry_hash(prev, e.canonical_fields())
        _raw(
            "UPDATE archive_auditentry SET prev_hash=%s, entry_hash=%s WHERE id=%s",
            [prev, h, e.pk],
        )
        prev = h
    _raw("UPDATE archive_audithead SET last_hash=%s, last_id=%s WHERE id=1", [prev, rows[-1].pk])


def test_entries_carry_a_key_id_and_an_hmac(make_household):
    household = make_household("420102")
    entry = AuditEntry.objects.latest("id")
    assert entry.key_id
    assert entry.entry_hash != entry_hash(entry.prev_hash, entry.canonical_fields())
    assert audit.verify_chain().intact
    assert household


def test_deleting_denials_and_rehashing_with_sha256_is_found(make_household, make_user):
    household = make_household("420102")
    user = make_user("420102")
    _entries(3, household)
    audit.record(audit.Action.DENIED, household, user=user, detail={"reason": "probe"})
    audit.record(audit.Action.LOGIN_FAILED, object_type="archive.User", object_id="x")
    _entries(2, household)
    assert audit.verify_chain().intact
    _raw("DELETE FROM archive_auditentry WHERE action IN ('denied', 'login_failed')")
    _rehash_plain(list(AuditEntry.objects.order_by("id")))
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_broken == AuditEntry.objects.order_by("id").first().pk


def test_truncation_after_an_anchor_is_found(make_household, settings, archive_keys):
    household = make_household("420102")
    _entries(3, household)
    anchored = anchor_now()
    assert anchored is not None and anchored.entry_id == AuditHead.objects.get().last_id
    _entries(2, household)
    assert audit.verify_chain().intact
    # Drop everything from the anchored entry on, and point the head at what is left.
    _raw("DELETE FROM archive_auditentry WHERE id >= %s", [anchored.entry_id])
    last = AuditEntry.objects.order_by("id").last()
    _raw(
        "UPDATE archive_audithead SET last_hash=%s, last_id=%s WHERE id=1",
        [last.entry_hash, last.pk],
    )
    assert audit.verify_chain(anchors=False).intact  # the chain alone cannot tell
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_broken == anchored.entry_id
    assert "截断" in report.reason
    with pytest.raises(SystemExit):
        call_command("verify_audit")


def test_anchor_is_signed_write_once_and_checked(make_household, settings):
    household = make_household("420102")
    _entries(2, household)
    call_command("anchor_audit")
    [anchor] = anchors()
    folder = next(p for p in settings.HEDANG_AUDIT_ANCHOR_DIR.iterdir() if p.is_dir())
    body_file = next(folder.glob("*.json"))
    assert oct(body_file.stat().st_mode & 0o777) == "0o400"
    assert (folder / (body_file.stem + ".p7s")).stat().st_size > 200  # a CMS signature
    # Forging the anchor itself (to match a rewritten log) breaks its signature.
    body = json.loads(body_file.read_bytes())
    body["entry_hash"] = "f" * 64
    os.chmod(body_file, 0o600)
    body_file.write_text(json.dumps(body, sort_keys=True))
    report = audit.verify_chain()
    assert not report.intact and "签名" in report.reason
    assert anchor.entry_id


def test_celery_task_anchors(make_household):
    from archive.tasks import anchor_audit_chain

    make_household("420102")
    name = anchor_audit_chain.apply().get()
    assert name and name.startswith("anchor-")
    assert audit.verify_chain().intact


def test_key_rotation_keeps_old_entries_verifiable(make_household, settings, tmp_path):
    import shutil

    settings.HEDANG_AUDIT_KEY = ""
    old = settings.HEDANG_AUDIT_KEY_DIR
    if old.is_dir():  # the entries written before this test keep their keys
        shutil.copytree(old, tmp_path / "keys")
    settings.HEDANG_AUDIT_KEY_DIR = tmp_path / "keys"
    household = make_household("420102")
    _entries(2, household)
    first_key = AuditEntry.objects.latest("id").key_id
    call_command("rotate_audit_key")
    _entries(2, household)
    second_key = AuditEntry.objects.latest("id").key_id
    assert first_key != second_key
    assert audit.verify_chain().intact
    # Without the old key its entries cannot be vouched for.
    (settings.HEDANG_AUDIT_KEY_DIR / first_key).unlink()
    assert not audit.verify_chain().intact


def test_key_from_the_environment(make_household, settings):
    settings.HEDANG_AUDIT_KEY = "ops2026:" + "ab" * 32
    make_household("420102")
    assert AuditEntry.objects.latest("id").key_id == "ops2026"
    assert audit.verify_chain().intact
    settings.HEDANG_AUDIT_KEY = "ops2026:" + "cd" * 32  # the key changed under the log
    assert not audit.verify_chain().intact


def test_personal_data_reads_are_logged(client_for, make_household):
    household = make_household("420102")
    client, user = client_for("420102", "信息管理")
    assert client.get("/api/v1/households").status_code == 200
    assert client.get(f"/api/v1/households/{household.pk}").status_code == 200
    assert client.get("/api/v1/members").status_code == 200
    member = household.members.get()
    assert client.get(f"/api/v1/members/{member.pk}").status_code == 200
    views = AuditEntry.objects.filter(actor=user, action="view")
    assert views.filter(object_type="archive.Household", object_id="").get().detail["ids"] == [
        household.pk
    ]
    assert views.filter(object_type="archive.Household", object_id=str(household.pk)).exists()
    assert views.filter(object_type="archive.Member", object_id="").exists()
    assert views.filter(object_type="archive.Member", object_id=str(member.pk)).exists()


def test_changes_record_before_and_after(client_for, make_household):
    household = make_household("420102", address="旧地址")
    client, _ = client_for("420102")
    response = client.patch(
        f"/api/v1/households/{household.pk}", {"address": "新地址"}, format="json"
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(
        action="change", object_type="archive.Household", object_id=str(household.pk)
    ).latest("id")
    assert entry.detail["changes"]["address"] == ["旧地址", "新地址"]


def test_list_endpoints_have_a_maximum_page_size(client_for, make_household, settings):
    settings.HEDANG_API_MAX_PAGE_SIZE = 5
    for i in range(8):
        make_household("420102", f"户{i}")
    client, _ = client_for("420102", "信息管理")
    body = client.get("/api/v1/members?limit=100000").json()
    assert body["count"] == 8
    assert len(body["results"]) == 5


def test_failed_login_carries_the_named_accounts_agency(client, make_user):
    user = make_user("420105", "档案管理员", username="hanyang-clerk")
    assert not client.login(username=user.username, password="wrong")
    entry = AuditEntry.objects.filter(action="login_failed").latest("id")
    assert entry.agency_code == "420105"
    assert not client.login(username="nobody-here", password="wrong")
    assert AuditEntry.objects.filter(action="login_failed").latest("id").agency_code == ""


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "203.0.113.9", "10.9.9.9", "203.0.113.9"),  # anyone's header is ignored
        (["127.0.0.1"], "127.0.0.1", "198.51.100.7", "198.51.100.7"),
        (["127.0.0.1"], "127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # spoofed left
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.7, 10.0.0.5", "198.51.100.7"),
        (["127.0.0.1"], "203.0.113.9", "198.51.100.7", "203.0.113.9"),
    ],
)
def test_client_ip_only_from_trusted_proxies(settings, trusted, remote, forwarded, expected):
    settings.HEDANG_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert audit.client_ip(request) == expected


def test_forwarded_proto_from_strangers_is_dropped(client, settings):
    from archive.middleware import ProxyHeadersMiddleware

    settings.HEDANG_TRUSTED_PROXIES = ["10.0.0.1"]
    seen = {}

    def view(request):
        seen["secure"] = request.is_secure()
        seen["xff"] = request.META.get("HTTP_X_FORWARDED_FOR")
        from django.http import HttpResponse

        return HttpResponse()

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    middleware = ProxyHeadersMiddleware(view)
    rf = RequestFactory()
    middleware(rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https"))
    assert seen == {"secure": False, "xff": None}
    middleware(
        rf.get(
            "/",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_PROTO="https",
            HTTP_X_FORWARDED_FOR="1.2.3.4",
        )
    )
    assert seen == {"secure": True, "xff": "1.2.3.4"}


@pytest.mark.slow
@pytest.mark.s3
def test_anchors_go_to_s3_with_object_lock(moto_s3, settings, make_household):
    """With S3 storage the anchors are objects under Object Lock (COMPLIANCE) in the bucket."""
    import uuid

    bucket = f"hedang-lock-{uuid.uuid4().hex[:10]}"
    moto_s3.client().create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    config = moto_s3.storage_config(bucket)
    settings.STORAGES = {**settings.STORAGES, "archive": config}
    settings.HEDANG_STORAGE = "s3"
    household = make_household("420102")
    _entries(2, household)
    anchored = anchor_now()
    client = moto_s3.client()
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert len(keys) == 2 and all(k.startswith("audit-anchors/") for k in keys)
    head = client.head_object(Bucket=bucket, Key=keys[0])
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"]
    assert [a.entry_id for a in anchors()] == [anchored.entry_id]
    assert audit.verify_chain().intact
    _raw("DELETE FROM archive_auditentry WHERE id >= %s", [anchored.entry_id])
    assert not audit.verify_chain().intact
