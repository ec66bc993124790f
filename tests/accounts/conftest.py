"""Fixtures of the accounts tests: gates on (marker), users of the three administrator roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

PASSWORD = "pw-Hedang-2026"


@pytest.fixture
def commit():
    """commit(user) → the user has a current 安全保密承诺书."""
    from django.utils import timezone

    from accounts.models import Commitment

    def do(user, signed_on: dt.date | None = None):
        return Commitment.objects.create(
            user=user,
            signed_on=signed_on or timezone.localdate(),
            method=Commitment.Method.ESIGN,
            signature=user.real_name,
            recorded_by=user,
        )

    return do


@pytest.fixture
def password_login():
    """password_login(client, username, password) → the response of the admin sign-in form."""

    def do(client, username: str, password: str = PASSWORD, **extra):
        return client.post(
            reverse("wagtailadmin_login"),
            {"username": username, "password": password, "next": "/admin/"},
            **extra,
        )

    return do


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def only_gates(settings):
    """only_gates("AXES_ENABLED", …): every other gate off (the marked tests start all on)."""
    from accounts.gates import GATES_OFF

    def do(*names: str):
        for name, value in GATES_OFF.items():
            if name not in names:
                setattr(settings, name, value)

    return do
