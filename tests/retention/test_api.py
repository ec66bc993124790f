"""The retention API: same steps as the pages, JSON errors with 4xx, scoping, masking."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def listed(world):
    from retention.sweep import fill_appraisal_list

    fill_appraisal_list(dt.date(2025, 1, 1))
    return world


def test_due_list_and_chart(listed):
    r = api(listed.users["档案员"]).get("/api/v1/retention/due")
    assert r.status_code == 200
    assert {"year": 2025, "items": 3} in r.json()["per_year"]
    assert len(r.json()["due"]) == 3
    r = api(listed.users["汉阳档案员"]).get("/api/v1/retention/due")
    assert r.json()["due"] == []


def test_hold_errors_and_lift(listed):
    from archive.models import AuditEntry

    client = api(listed.users["档案员"])
    number = listed.items["张伟-2014"].archive_number
    r = client.post(
        "/api/v1/retention/holds", {"archive_numbers": [number], "reason": ""}, format="json"
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "reason"
    r = client.post(
        "/api/v1/retention/holds", {"archive_numbers": ["nope"], "reason": "x"}, format="json"
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_found"
    r = client.post(
        "/api/v1/retention/holds",
        {"archive_numbers": [number], "reason": "信访", "until": "2099-13-01"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "until"
    r = client.post(
        "/api/v1/retention/holds", {"archive_numbers": [number], "reason": "信访"}, format="json"
    )
    assert r.status_code == 201
    hold_id = r.json()["holds"][0]["id"]
    r = api(listed.users["汉阳档案员"]).post(
        f"/api/v1/retention/holds/{hold_id}/lift", {"reason": "x"}, format="json"
    )
    assert r.status_code == 404
    assert AuditEntry.objects.filter(action="denied", object_type="retention.Hold").exists()
    r = client.post(f"/api/v1/retention/holds/{hold_id}/lift", {"reason": "已结"}, format="json")
    assert r.status_code == 200 and r.json()["lifted_at"]
    r = client.post(f"/api/v1/retention/holds/{hold_id}/lift", {"reason": "已结"}, format="json")
    assert r.status_code == 409


def test_whole_destruction_through_the_api(listed):
    u, i = listed.users, listed.items
    head_id = listed.households["李明"].head_id_number
    r = api(u["监销甲"]).post("/api/v1/retention/appraisals", {}, format="json")
    assert r.status_code == 403
    r = api(u["档案员"]).post(
        "/api/v1/retention/appraisals",
        {
            "household": head_id,
            "appraisers": "王芳",
            "reason": "期满",
            "decisions": [{"archive_number": i["李明-2014"].archive_number, "decision": "destroy"}],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    r = api(u["档案员"]).post(
        "/api/v1/retention/batches",
        {"archive_numbers": [i["李明-2014"].archive_number], "title": "第1批", "reason": "期满"},
        format="json",
    )
    assert r.status_code == 201
    batch = r.json()["id"]
    url = f"/api/v1/retention/batches/{batch}"
    r = api(u["档案员"]).post(url + "/execute", {}, format="json")
    assert r.status_code in (403, 409) and "error" in r.json()
    r = api(u["档案员"]).post(url + "/approve", {}, format="json")
    assert r.status_code == 403
    assert api(u["负责人"]).post(url + "/approve", {}, format="json").status_code == 200
    assert api(u["监销甲"]).post(url + "/supervise", {}, format="json").status_code == 200
    r = api(u["监销甲"]).post(url + "/supervise", {}, format="json")
    assert r.status_code == 409
    r = api(u["档案员"]).post(url + "/execute", {}, format="json")
    assert r.status_code == 409 and "监销人" in r.json()["error"]["message"]
    assert api(u["监销乙"]).post(url + "/supervise", {}, format="json").status_code == 200
    r = api(u["档案员"]).post(
        url + "/execute", {"paper_method": "粉碎", "paper_place": "档案室"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "executed"
    pdf = api(u["监销甲"]).get(url + "/register.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    assert api(u["汉阳档案员"]).get(url).status_code == 404
