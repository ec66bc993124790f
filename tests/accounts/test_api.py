"""The accounts API: same permissions as the staff pages, JSON errors, no 5xx."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import AccountRequest
from archive.models import AuditEntry

pytestmark = pytest.mark.accounts_gates


def test_api_lockouts_requests_and_due(make_user, only_gates, password_login):
    only_gates("AXES_ENABLED")
    make_user("420102", username="zhang")
    for _ in range(6):
        password_login(Client(), "zhang", "wrong-Password-1")
    sec1, sec2 = Client(), Client()
    sec1.force_login(make_user("420000", role="安全管理员", username="sec1"))
    sec2.force_login(make_user("420000", role="安全管理员", username="sec2"))
    listed = sec1.get("/api/v1/accounts/lockouts").json()["results"]
    assert any(r["username"] == "zhang" for r in listed)
    bad = sec1.post("/api/v1/accounts/lockouts", {}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "username"
    ok = sec1.post(
        "/api/v1/accounts/lockouts", {"username": "zhang"}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert AuditEntry.objects.filter(action="unlock", object_id="zhang").exists()

    target = make_user("420102", username="newbie")
    row = AccountRequest.objects.create(
        kind="create",
        user=target,
        proposed={"groups": ["档案管理员"], "agency": "420102"},
        requested_by=target.__class__.objects.get(username="sec1"),
    )
    pending = sec2.get("/api/v1/accounts/requests?status=pending").json()["results"]
    assert [r["id"] for r in pending] == [row.pk]
    own = sec1.post(
        f"/api/v1/accounts/requests/{row.pk}/decide",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert own.status_code == 403 and "另一名" in own.json()["error"]["message"]
    done = sec2.post(
        f"/api/v1/accounts/requests/{row.pk}/decide",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "approved"
    missing = sec2.post(
        "/api/v1/accounts/requests/999999/decide",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert missing.status_code == 404
    due = sec1.get("/api/v1/accounts/commitments/due").json()["results"]
    assert "zhang" in {u["username"] for u in due}


def test_api_refuses_without_permission(make_user, only_gates):
    only_gates()
    clerk = Client()
    clerk.force_login(make_user("420102", username="clerk"))
    for url in (
        "/api/v1/accounts/lockouts",
        "/api/v1/accounts/requests",
        "/api/v1/accounts/commitments/due",
    ):
        response = clerk.get(url)
        assert response.status_code == 403 and response.json()["error"]["code"]
