"""The operation log through the API: read-only, newest first, the jurisdiction's agencies."""

from __future__ import annotations

import pytest

from archive import audit
from archive.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_inspector_reads_own_jurisdiction_newest_first(client_for, make_user, make_household):
    wuhan = make_user("420100", "档案管理员", username="wuhan-clerk")
    yichang = make_user("420500", "档案管理员", username="yichang-clerk")
    jiangan = make_user("420102", "档案管理员", username="jiangan-clerk")
    audit.record(audit.Action.VIEW, user=wuhan, object_type="x", object_id="1")
    audit.record(audit.Action.VIEW, user=yichang, object_type="x", object_id="2")
    audit.record(audit.Action.VIEW, user=jiangan, object_type="x", object_id="3")

    client, _ = client_for("420100", "监督检查")
    response = client.get("/api/v1/audit?action=view")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["actor_name"] for r in rows] == ["jiangan-clerk", "wuhan-clerk"]
    assert rows[0]["id"] > rows[1]["id"]

    foreign = AuditEntry.objects.get(actor_name="yichang-clerk")
    assert client.get(f"/api/v1/audit/{foreign.pk}").status_code == 404
    assert client.delete(f"/api/v1/audit/{foreign.pk}").status_code == 405


def test_audit_ids_are_masked_for_inspectors(client_for, make_household):
    household = make_household("420102")
    intruder, _ = client_for("420105", "档案管理员")
    intruder.get(f"/api/v1/households/{household.head_id_number}")  # logged as denied
    inspector, _ = client_for("420100", "监督检查")
    rows = inspector.get("/api/v1/audit?action=denied").json()["results"]
    assert len(rows) == 1
    assert household.head_id_number not in str(rows)
    assert rows[0]["detail"]["path"].startswith("/api/v1/households/420102*")


def test_audit_needs_permission(client_for, denials):
    client, _ = client_for("420102", "档案管理员")
    response = client.get("/api/v1/audit")
    assert response.status_code == 403
    assert denials(object_type="archive.AuditEntry").count() == 1
