"""Password rules, history and expiry; idle/absolute timeouts, session limit, sessions ended."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import PasswordHistory
from archive.models import AuditEntry
from tests.accounts.conftest import PASSWORD, signed_in

pytestmark = pytest.mark.accounts_gates


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("qwertyui9", "密码长度规则"),
        ("qwertyuiop9", "密码复杂度规则"),
        ("Short-1a", "密码长度规则"),
        ("12345678901234", "密码复杂度规则"),
    ],
)
def test_weak_password_is_refused_with_the_rule_named(password, rule):
    with pytest.raises(ValidationError) as info:
        validate_password(password)
    assert any(rule in m for m in info.value.messages)


def test_strong_password_passes():
    validate_password("Hedang-Strong-2026")


def _change(client, old: str, new: str):
    return client.post(
        reverse("accounts:gate_password"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_password_page_names_the_rule_and_refuses_reuse(client, make_user, only_gates):
    only_gates()
    user = make_user("420102", username="zhang")
    client.force_login(user)
    response = _change(client, PASSWORD, "qwertyui9")
    assert response.status_code == 400 and "密码长度规则" in response.content.decode()
    assert _change(client, PASSWORD, "Second-Pass-2026").status_code == 302
    assert _change(client, "Second-Pass-2026", "Third-Pass-2026").status_code == 302
    response = _change(client, "Third-Pass-2026", PASSWORD)
    assert response.status_code == 400 and "密码历史规则" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("Third-Pass-2026")
    assert signed_in(client)  # one's own change keeps the session it is made in


def test_expired_password_forces_a_change(client, make_user, only_gates):
    only_gates("HEDANG_PASSWORD_MAX_AGE_DAYS")
    user = make_user("420102", username="zhang")
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=91)
    PasswordHistory.objects.filter(user=user).update(created=old)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:gate_password"))
    assert client.get("/api/v1/households").status_code == 403
    assert _change(client, PASSWORD, "Renewed-Pass-2026").status_code == 302
    assert client.get("/admin/").status_code == 200


def _age_session(client, key: str, seconds: float) -> None:
    session = client.session
    session[key] -= seconds
    session.save()


def test_idle_session_expires(client, make_user, only_gates):
    only_gates("HEDANG_SESSION_IDLE_MINUTES")
    client.force_login(make_user("420102", username="zhang"))
    assert client.get("/admin/").status_code == 200
    _age_session(client, "accounts_seen", 31 * 60)
    response = client.get("/admin/")
    assert response.status_code == 302 and "login" in response.url
    assert not signed_in(client)
    assert AuditEntry.objects.filter(action="logout", detail__reason="idle_timeout").exists()


def test_active_session_stays_and_absolute_lifetime_ends_it(client, make_user, only_gates):
    only_gates("HEDANG_SESSION_IDLE_MINUTES", "HEDANG_SESSION_ABSOLUTE_HOURS")
    client.force_login(make_user("420102", username="zhang"))
    _age_session(client, "accounts_seen", 20 * 60)
    assert client.get("/admin/").status_code == 200
    _age_session(client, "accounts_started", 9 * 3600)
    assert client.get("/admin/").status_code == 302
    assert not signed_in(client)


def test_fourth_session_ends_the_oldest(make_user, only_gates):
    only_gates("HEDANG_MAX_SESSIONS")
    user = make_user("420102", username="zhang")
    clients = [Client() for _ in range(4)]
    for c in clients:
        c.force_login(user)
    assert clients[0].get("/admin/").status_code == 302  # signed out
    assert [c.get("/admin/").status_code for c in clients[1:]] == [200, 200, 200]


@pytest.mark.parametrize("change", ["groups", "agency", "deactivate", "password"])
def test_sessions_end_when_what_they_were_granted_changes(make_user, hubei, only_gates, change):
    only_gates("HEDANG_END_SESSIONS_ON_CHANGE")
    user = make_user("420102", username="zhang")
    a, b = Client(), Client()
    a.force_login(user)
    b.force_login(user)
    if change == "groups":
        user.groups.add(Group.objects.get(name="信息管理"))
    elif change == "agency":
        user.agency = hubei["420105"]
        user.save()
    elif change == "deactivate":
        user.is_active = False
        user.save()
    else:
        user.set_password("Another-Pass-2026")
        user.save()
    assert not signed_in(a) and not signed_in(b)
