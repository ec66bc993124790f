"""/api/v1/consistency/…: scoped, masked, audited, JSON errors; resolution by the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from archive.models import AuditEntry
from consistency.check import key_of
from consistency.models import Discrepancy

pytestmark = pytest.mark.django_db


@pytest.fixture
def discrepancy(make_household, make_item):
    household = make_household("420102")
    electronic, paper = make_item(household), make_item(household)
    right = household.head_id_number
    wrong = right[:12] + str((int(right[12]) + 1) % 10) + right[13:]
    return Discrepancy.objects.create(
        key=key_of("content", electronic.pk, paper.pk, "id_number", wrong, right, 1),
        kind="content",
        item=electronic,
        paper_item=paper,
        field="id_number",
        electronic=wrong,
        paper=right,
        page=1,
        confidence=0.9,
    )


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_detail_and_resolve(discrepancy, make_user):
    client = _client(make_user("420102"))
    listed = client.get("/api/v1/consistency/discrepancies").json()["discrepancies"]
    assert [r["id"] for r in listed] == [discrepancy.pk]
    assert listed[0]["paper"] == discrepancy.paper  # archivists see full IDs
    bad = client.post(
        f"/api/v1/consistency/discrepancies/{discrepancy.pk}/resolve",
        {"decision": "maybe", "note": "x"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "decision"
    empty = client.post(
        f"/api/v1/consistency/discrepancies/{discrepancy.pk}/resolve",
        {"decision": "paper_wrong", "note": ""},
        format="json",
    )
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "note"
    assert Discrepancy.objects.get(pk=discrepancy.pk).is_open
    ok = client.post(
        f"/api/v1/consistency/discrepancies/{discrepancy.pk}/resolve",
        {"decision": "paper_wrong", "note": "纸质印错"},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "paper_wrong"
    again = client.post(
        f"/api/v1/consistency/discrepancies/{discrepancy.pk}/resolve",
        {"decision": "dismiss", "note": "再次"},
        format="json",
    )
    assert again.status_code == 400


def test_out_of_jurisdiction_is_404_and_logged(discrepancy, make_user):
    client = _client(make_user("420502", username="far"))
    response = client.get(f"/api/v1/consistency/discrepancies/{discrepancy.pk}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).exists()
    assert client.get("/api/v1/consistency/discrepancies").json()["discrepancies"] == []


def test_inspector_sees_masked_ids_and_cannot_resolve(discrepancy, make_user):
    client = _client(make_user("420100", "监督检查", username="insp"))
    row = client.get(f"/api/v1/consistency/discrepancies/{discrepancy.pk}").json()
    assert "*" in row["paper"] and "*" in row["household"]
    refused = client.post(
        f"/api/v1/consistency/discrepancies/{discrepancy.pk}/resolve",
        {"decision": "dismiss", "note": "x"},
        format="json",
    )
    assert refused.status_code == 403
