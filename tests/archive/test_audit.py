"""The hash-chained operation log: append-only, tamper-evident, written by every path."""

from __future__ import annotations

import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections

from archive import audit
from archive.audit import record, verify_chain
from archive.models import AuditEntry, AuditHead, Household
from archive.models.audit import GENESIS_HASH

pytestmark = pytest.mark.django_db


def _record_some(n: int, prefix: str = "entry") -> list[AuditEntry]:
    return [
        record(
            AuditEntry.Action.VIEW,
            object_type="test",
            object_id=str(i),
            object_repr=f"{prefix} {i}",
        )
        for i in range(n)
    ]


def _verify_audit_json() -> tuple[int, dict]:
    out = StringIO()
    code = 0
    try:
        call_command("verify_audit", "--json", stdout=out)
    except SystemExit as exc:
        code = exc.code
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, out.getvalue()  # one JSON object and nothing else on stdout
    return code, json.loads(lines[0])


# --- the chain ---------------------------------------------------------------------------


def test_record_chains_entries():
    before = AuditEntry.objects.order_by("-id").first()
    entries = _record_some(5)
    expected_prev = before.entry_hash if before else GENESIS_HASH
    for entry in entries:
        entry.refresh_from_db()
        assert entry.prev_hash == expected_prev
        assert entry.entry_hash == entry.compute_hash()
        assert len(entry.entry_hash) == 64
        expected_prev = entry.entry_hash
    head = AuditHead.objects.get(pk=1)
    assert head.last_hash == entries[-1].entry_hash
    assert head.last_id == entries[-1].pk
    report = verify_chain()
    assert report.intact
    assert report.first_broken is None
    assert report.entries == AuditEntry.objects.count()


def test_first_entry_starts_from_genesis():
    AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)
    AuditHead.objects.all().delete()
    first = record(AuditEntry.Action.VIEW, object_repr="first")
    assert first.prev_hash == GENESIS_HASH
    assert verify_chain().intact
    assert verify_chain().entries == 1


def test_empty_log_is_intact():
    AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)
    AuditHead.objects.all().delete()
    report = verify_chain()
    assert (report.entries, report.intact, report.first_broken) == (0, True, None)


def test_detail_round_trips_through_the_database():
    entry = record(
        AuditEntry.Action.EXPORT,
        object_type="archive.Item",
        object_id="Z420102-HD·2024-D10-GC-0001",
        object_repr="张伟户入户核查表",
        detail={
            "fields": ["title", "page_count"],
            "pages": 3,
            "score": 0.93,
            "ok": True,
            "none": None,
            "note": "纸质为准，已更正",
            "nested": {"b": [1, 2, {"c": "丙"}], "a": "甲"},
        },
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.compute_hash() == stored.entry_hash
    assert verify_chain().intact


def test_saving_an_existing_entry_is_refused():
    entry = record(AuditEntry.Action.VIEW, object_repr="original")
    entry.object_repr = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    loaded = AuditEntry.objects.get(pk=entry.pk)
    loaded.action = AuditEntry.Action.DELETE
    with pytest.raises(PermissionError):
        loaded.save()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "original"


def test_deleting_an_entry_is_refused():
    entry = record(AuditEntry.Action.VIEW, object_repr="keep me")
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.get(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# --- tampering is detected ---------------------------------------------------------------


def test_raw_update_detected():
    entries = _record_some(5)
    victim = entries[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_auditentry SET object_repr=%s WHERE id=%s", ["篡改", victim.pk]
        )
    report = verify_chain()
    assert report.intact is False
    assert report.first_broken == victim.pk
    code, out = _verify_audit_json()
    assert code == 1
    assert out == {"entries": report.entries, "intact": False, "first_broken": victim.pk}
    # entries counts the whole log, not how far the check got before the break.
    assert out["entries"] == AuditEntry.objects.count()


def test_raw_update_of_the_hash_too_is_detected_at_the_next_entry():
    """Re-computing the tampered row's own hash only moves the break to the row after it."""
    entries = _record_some(5)
    victim = AuditEntry.objects.get(pk=entries[2].pk)
    victim.object_repr = "篡改"
    forged = victim.compute_hash()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_auditentry SET object_repr=%s, entry_hash=%s WHERE id=%s",
            ["篡改", forged, victim.pk],
        )
    report = verify_chain()
    assert report.intact is False
    assert report.first_broken == entries[3].pk


def test_raw_delete_of_a_middle_row_detected_at_the_next_row():
    entries = _record_some(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM archive_auditentry WHERE id=%s", [entries[2].pk])
    report = verify_chain()
    assert report.intact is False
    assert report.first_broken == entries[3].pk
    code, out = _verify_audit_json()
    assert code == 1
    assert out["first_broken"] == entries[3].pk
    assert out["intact"] is False


def test_queryset_delete_is_refused_or_detected():
    """QuerySet.delete() and .update() skip Model.delete()/save(); if the manager does not
    refuse them, the chain still shows the damage."""
    entries = _record_some(4)
    try:
        AuditEntry.objects.filter(pk=entries[1].pk).delete()
    except PermissionError:
        assert AuditEntry.objects.filter(pk=entries[1].pk).exists()
    else:
        report = verify_chain()
        assert report.intact is False
        assert report.first_broken == entries[2].pk


def test_queryset_update_is_refused_or_detected():
    entries = _record_some(4)
    try:
        AuditEntry.objects.filter(pk=entries[1].pk).update(actor_name="someone-else")
    except PermissionError:
        assert AuditEntry.objects.get(pk=entries[1].pk).actor_name == ""
    else:
        report = verify_chain()
        assert report.intact is False
        assert report.first_broken == entries[1].pk


def test_truncated_last_row_detected():
    entries = _record_some(4)
    last = entries[-1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM archive_auditentry WHERE id=%s", [last.pk])
    report = verify_chain()
    assert report.intact is False
    assert report.first_broken == last.pk
    assert report.entries == AuditEntry.objects.count()
    code, out = _verify_audit_json()
    assert code == 1
    assert out == {"entries": report.entries, "intact": False, "first_broken": last.pk}


def test_removed_head_row_detected():
    _record_some(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM archive_audithead")
    report = verify_chain()
    assert report.intact is False
    code, out = _verify_audit_json()
    assert code == 1
    assert out["intact"] is False


def test_verify_audit_intact_exits_zero():
    _record_some(3)
    code, out = _verify_audit_json()
    assert code == 0
    assert out["intact"] is True
    assert out["first_broken"] is None
    assert out["entries"] == AuditEntry.objects.count()


def test_verify_audit_human_output():
    entries = _record_some(3)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "完整" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_auditentry SET action=%s WHERE id=%s", ["delete", entries[1].pk]
        )
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("verify_audit", stdout=out)
    assert exc.value.code == 1
    assert f"id={entries[1].pk}" in out.getvalue()


# --- who did what ------------------------------------------------------------------------


def test_login_is_logged_with_actor_and_address(client, make_user):
    user = make_user("420102", username="wangdangan")
    response = client.post(
        "/admin/login/", {"username": "wangdangan", "password": "pw-Hedang-2026"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN).latest("id")
    assert entry.actor_id == user.pk
    assert entry.actor_name == "wangdangan"
    assert entry.agency_code == "420102"
    assert entry.ip_address == "127.0.0.1"
    assert entry.object_type == "archive.User"
    assert entry.object_id == str(user.pk)
    # last_login is written on login; that alone is not a "change" of the user.
    assert not AuditEntry.objects.filter(
        action=AuditEntry.Action.CHANGE, object_type="archive.User", id__gt=entry.pk
    ).exists()
    assert verify_chain().intact


def test_failed_login_is_logged(client, make_user):
    make_user("420102", username="wangdangan")
    before = AuditEntry.objects.count()
    response = client.post(
        "/admin/login/", {"username": "wangdangan", "password": "wrong-password"}
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).latest("id")
    assert entry.actor_id is None
    assert entry.object_id == "wangdangan"
    assert entry.ip_address == "127.0.0.1"
    assert "wrong-password" not in json.dumps(entry.detail, ensure_ascii=False)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN, id__gt=before).exists()
    assert verify_chain().intact


def test_logout_is_logged(client, make_user):
    user = make_user("420102", username="wangdangan")
    client.post("/admin/login/", {"username": "wangdangan", "password": "pw-Hedang-2026"})
    client.post("/admin/logout/")
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT).latest("id")
    assert entry.actor_id == user.pk


def test_model_create_change_delete_are_logged_with_actor(make_user, hubei):
    user = make_user("420102", username="wangdangan")
    token = audit.set_context(user, "10.1.2.3")
    try:
        household = Household.objects.create(
            agency=hubei["420102"], head_id_number="11010519491231002X", head_name="张伟"
        )
        pk = household.pk
        household.address = "武汉市江岸区台北路 88 号"
        household.save()
        household.delete()
    finally:
        audit.reset_context(token)
    entries = list(
        AuditEntry.objects.filter(object_type="archive.Household", object_id=str(pk)).order_by("id")
    )
    assert [e.action for e in entries] == ["create", "change", "delete"]
    for entry in entries:
        assert entry.actor_id == user.pk
        assert entry.actor_name == "wangdangan"
        assert entry.agency_code == "420102"
        assert entry.ip_address == "10.1.2.3"
        assert entry.object_repr == "张伟户"
    assert verify_chain().intact


def test_update_fields_are_named_in_the_detail(make_household):
    household = make_household("420102")
    household.phone = "027-12345678"
    household.save(update_fields=["phone"])
    entry = AuditEntry.objects.filter(object_type="archive.Household").latest("id")
    assert entry.action == "change"
    assert entry.detail == {"fields": ["phone"], "changes": {"phone": ["", "027-12345678"]}}


def test_changes_without_a_request_have_no_actor(hubei):
    household = Household.objects.create(
        agency=hubei["420102"], head_id_number="360426199101010071", head_name="李娜"
    )
    entry = AuditEntry.objects.filter(
        object_type="archive.Household", object_id=str(household.pk)
    ).get()
    assert entry.actor_id is None
    assert entry.actor_name == ""
    assert entry.ip_address == ""


# --- concurrent writers ------------------------------------------------------------------

THREADS = 8
PER_THREAD = 20


def _record_concurrently() -> list[BaseException]:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(PER_THREAD):
                record(
                    AuditEntry.Action.VIEW,
                    object_type="thread",
                    object_id=f"{n}-{i}",
                    object_repr=f"线程 {n} 第 {i} 条",
                )
        except BaseException as exc:  # noqa: BLE001 — reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return errors


def _assert_concurrent_chain() -> None:
    rows = AuditEntry.objects.filter(object_type="thread")
    assert rows.count() == THREADS * PER_THREAD
    assert len(set(rows.values_list("object_id", flat=True))) == THREADS * PER_THREAD
    assert len(set(AuditEntry.objects.values_list("prev_hash", flat=True))) == (
        AuditEntry.objects.count()
    ), "two entries claim the same predecessor: the chain forked"
    report = verify_chain()
    assert report.intact, report
    assert report.entries == AuditEntry.objects.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain_postgres():
    assert connection.vendor == "postgresql"
    record(AuditEntry.Action.VIEW, object_repr="head exists")
    errors = _record_concurrently()
    assert not errors, errors
    _assert_concurrent_chain()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant; PostgreSQL has its own test")
    record(AuditEntry.Action.VIEW, object_repr="head exists")
    errors = _record_concurrently()
    assert not errors, errors
    _assert_concurrent_chain()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_an_empty_log_postgres():
    """The very first entries race to create the head row; still one chain."""
    AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)
    AuditHead.objects.all().delete()
    errors = _record_concurrently()
    assert not errors, errors
    _assert_concurrent_chain()
