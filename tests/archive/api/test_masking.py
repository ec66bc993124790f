"""Resident IDs: in full for the archivist, masked for the inspector (监督检查)."""

from __future__ import annotations

import pytest

from archive.filing import file_item
from archive.identifiers import mask_resident_id
from archive.models import Page

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(make_household):
    return make_household("420102", "张伟")


def test_inspector_sees_masked_ids(client_for, household, make_item):
    item = file_item(make_item(household, "SQS"))
    Page.objects.create(item=item, number=1, text=f"户主：张伟 身份证号 {household.head_id_number}")
    item.fields = {"id_number": household.head_id_number}
    item.save()
    masked = mask_resident_id(household.head_id_number)
    client, _ = client_for("420102", "监督检查")

    listed = client.get("/api/v1/households").json()["results"]
    assert [h["head_id_number"] for h in listed] == [masked]
    assert "*" in masked and household.head_id_number not in str(listed)

    detail = client.get(f"/api/v1/households/{household.pk}").json()
    assert detail["head_id_number"] == masked
    assert detail["members"][0]["id_number"] == masked
    assert detail["items"]["process"][0]["household"] == masked

    shown = client.get(f"/api/v1/items/{item.archive_number}")
    assert shown.status_code == 200
    body = shown.json()
    assert body["household"] == masked
    assert body["pages"] == [{"number": 1, "text": f"户主：张伟 身份证号 {masked}"}]
    assert body["fields"] == {"id_number": masked}
    assert household.head_id_number not in shown.content.decode()


def test_archivist_sees_full_ids(client_for, household, make_item):
    item = file_item(make_item(household, "SQS"))
    client, _ = client_for("420102", "档案管理员")
    listed = client.get("/api/v1/households").json()["results"]
    assert [h["head_id_number"] for h in listed] == [household.head_id_number]
    body = client.get(f"/api/v1/items/{item.archive_number}").json()
    assert body["household"] == household.head_id_number
    assert body["subtype"] == "核对授权书"
    assert body["category"] == "process"
    assert body["formation_date"] == "2024-03-06"
    assert body["status"] == "filed"
    assert body["files"][0]["role"] == "original"
    assert body["files"][0]["media_type"] == "application/pdf"
    assert set(body) >= {
        "archive_number",
        "household",
        "category",
        "subtype",
        "title",
        "formation_date",
        "status",
        "pages",
        "files",
        "fields",
    }


def test_masked_users_cannot_probe_id_digits(client_for, household):
    inspector, _ = client_for("420102", "监督检查")
    archivist, _ = client_for("420102", "档案管理员")
    partial = household.head_id_number[6:14]  # the birth date
    assert inspector.get(f"/api/v1/households?q={partial}").json()["count"] == 0
    assert archivist.get(f"/api/v1/households?q={partial}").json()["count"] == 1
    whole = household.head_id_number
    assert inspector.get(f"/api/v1/households?q={whole}").json()["count"] == 1
    assert inspector.get("/api/v1/households?q=张").json()["count"] == 1
