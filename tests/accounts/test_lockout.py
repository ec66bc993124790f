"""Lockout after repeated wrong passwords (django-axes), the log entries and the unlock."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import AuditEntry
from tests.accounts.conftest import signed_in

pytestmark = pytest.mark.accounts_gates


def test_sixth_wrong_password_locks_and_right_one_is_refused(
    client, make_user, password_login, settings
):
    make_user("420102", username="zhang")
    for _ in range(5):
        response = password_login(client, "zhang", "wrong-Password-1")
        assert response.status_code == 200 and not signed_in(client)
    response = password_login(client, "zhang", "wrong-Password-1")
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    response = password_login(client, "zhang")  # the right password
    assert response.status_code == 429 and not signed_in(client)
    entries = AuditEntry.objects.filter(action="lockout")
    assert entries.exists() and {e.object_id for e in entries} == {"zhang"}
    assert AuditEntry.objects.filter(action="login_failed", object_id="zhang").count() >= 6


def test_five_wrong_passwords_do_not_lock(client, make_user, password_login):
    make_user("420102", username="zhang")
    for _ in range(5):
        password_login(client, "zhang", "wrong-Password-1")
    response = password_login(client, "zhang")
    assert response.status_code == 302 and signed_in(client)


def test_security_role_unlocks_and_it_is_logged(client, make_user, password_login, only_gates):
    only_gates("AXES_ENABLED")
    make_user("420102", username="zhang")
    for _ in range(6):
        password_login(client, "zhang", "wrong-Password-1")
    security = make_user("420000", role="安全管理", username="sec")
    admin = client.__class__()
    admin.force_login(security)
    page = admin.get(reverse("accounts_admin:lockouts"))
    assert page.status_code == 200 and "zhang" in page.content.decode()
    response = admin.post(reverse("accounts_admin:unlock"), {"username": "zhang"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="unlock", object_id="zhang").exists()
    client.cookies.clear()
    response = password_login(client, "zhang")
    assert response.status_code == 302 and signed_in(client)


def test_unlock_needs_the_permission(client, make_user, only_gates):
    only_gates("AXES_ENABLED")
    client.force_login(make_user("420102", username="clerk"))
    response = client.post(reverse("accounts_admin:unlock"), {"username": "zhang"})
    assert response.status_code in (302, 403)
    assert not AuditEntry.objects.filter(action="unlock").exists()


def test_cool_off_ends_the_lockout(client, make_user, password_login, settings):
    from axes.models import AccessAttempt

    make_user("420102", username="zhang")
    for _ in range(6):
        password_login(client, "zhang", "wrong-Password-1")
    # Move the attempts back past the cool-off time instead of waiting 30 minutes.
    import datetime as dt

    AccessAttempt.objects.update(attempt_time=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    response = password_login(client, "zhang")
    assert response.status_code == 302 and signed_in(client)
