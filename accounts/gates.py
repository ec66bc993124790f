"""The sign-in gates of the accounts app, each a setting (on by default, see config/settings).

Tests of other apps log fixture users in with ``client.force_login``; tests/conftest.py turns
the gates off with :func:`gates_off` unless a test is marked ``accounts_gates``.
"""

from __future__ import annotations

from django.conf import settings

# setting name → value that switches the gate off
GATES_OFF: dict[str, object] = {
    "AXES_ENABLED": False,  # lockout after failed sign-ins (django-axes)
    "HEDANG_REQUIRE_TOTP": False,  # second factor for administrator/security roles
    "HEDANG_REQUIRE_COMMITMENT": False,  # current 安全保密承诺书 before any work
    "HEDANG_PASSWORD_MAX_AGE_DAYS": 0,  # forced change of an expired password
    "HEDANG_SESSION_IDLE_MINUTES": 0,  # idle timeout
    "HEDANG_SESSION_ABSOLUTE_HOURS": 0,  # absolute session lifetime
    "HEDANG_MAX_SESSIONS": 0,  # concurrent sessions per user
    "HEDANG_END_SESSIONS_ON_CHANGE": False,  # end sessions on password/roles/agency change
    "HEDANG_REQUIRE_CERTIFICATE": False,  # client certificate for every staff sign-in
    "HEDANG_ACCOUNT_APPROVAL": False,  # new users / role changes wait for a second approver
    "HEDANG_BREAK_GLASS_AUDIT": False,  # every request of a superuser logged
}

DEFAULTS: dict[str, object] = {
    "AXES_ENABLED": True,
    "HEDANG_REQUIRE_TOTP": True,
    "HEDANG_REQUIRE_COMMITMENT": True,
    "HEDANG_PASSWORD_MAX_AGE_DAYS": 90,
    "HEDANG_SESSION_IDLE_MINUTES": 30,
    "HEDANG_SESSION_ABSOLUTE_HOURS": 8,
    "HEDANG_MAX_SESSIONS": 3,
    "HEDANG_END_SESSIONS_ON_CHANGE": True,
    "HEDANG_REQUIRE_CERTIFICATE": False,
    "HEDANG_ACCOUNT_APPROVAL": True,
    "HEDANG_BREAK_GLASS_AUDIT": True,
    "HEDANG_COMMITMENT_DAYS": 365,
    "HEDANG_TOTP_REQUIRED_ROLES": ["系统管理员", "安全管理员", "审计管理员", "安全管理"],
    "HEDANG_TRUSTED_PROXIES": [],
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS.get(name))


def gates_off(django_settings) -> None:
    """Switch every gate off on pytest-django's ``settings`` fixture."""
    for name, value in GATES_OFF.items():
        setattr(django_settings, name, value)
