"""Fixtures of the API tests: an API client logged in as a user of some agency and role."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


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
def anon():
    return APIClient()


@pytest.fixture
def denials():
    """denials(object_type="archive.Household") → the ``denied`` entries of the log."""
    from archive.models import AuditEntry

    def query(**filters):
        return AuditEntry.objects.filter(action=AuditEntry.Action.DENIED, **filters)

    return query
