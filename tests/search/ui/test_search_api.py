"""GET /api/v1/search: shape, errors, jurisdiction, masking, the operation log."""

from __future__ import annotations

import io
import json

import pytest

URL = "/api/v1/search"


@pytest.fixture
def api(client):
    def get(user, **params):
        if user is not None:
            client.force_login(user)
        return client.get(URL, params)

    return get


def test_shape(data, api):
    i = data.items
    response = api(data.users["江岸"], q="3,215.40")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"total", "hits", "facets"}
    assert body["total"] == 1
    (hit,) = body["hits"]
    assert set(hit) == {"archive_number", "household", "category", "subtype", "title", "snippet"}
    assert hit["archive_number"] == i["张伟-入户"].archive_number
    assert hit["household"] == data.households["张伟"].head_id_number
    assert hit["category"] == "process" and hit["subtype"] == "入户核查表"
    assert "<mark>3,215.40</mark>" in hit["snippet"]
    assert set(body["facets"]) == {"category", "subtype", "business_type", "year", "region"}
    assert body["facets"]["category"] == [
        {"value": "process", "label": "核查过程性材料", "count": 1}
    ]


def test_filters_limit_offset(data, api):
    user = data.users["江岸"]
    assert api(user, q="张伟").json()["total"] == 3
    assert api(user, q="张伟", category="proof").json()["total"] == 1
    assert api(user, q="张伟", business_type="AA").json()["total"] == 1
    assert api(user, q="张伟", year="2023").json()["total"] == 1
    assert api(user, q="户主", subtype="RHB").json()["total"] == 2
    first = api(user, q="张伟", limit="2").json()
    rest = api(user, q="张伟", limit="2", offset="2").json()
    assert first["total"] == rest["total"] == 3
    assert len(first["hits"]) == 2 and len(rest["hits"]) == 1
    numbers = {h["archive_number"] for h in first["hits"] + rest["hits"]}
    assert len(numbers) == 3


@pytest.mark.parametrize(
    "params, field, code",
    [
        ({}, "q", "required"),
        ({"q": "  "}, "q", "required"),
        ({"q": "张伟", "year": "abc"}, "year", "invalid"),
        ({"q": "张伟", "year": "99999"}, "year", "out_of_range"),
        ({"q": "张伟", "limit": "0"}, "limit", "out_of_range"),
        ({"q": "张伟", "limit": "1000"}, "limit", "out_of_range"),
        ({"q": "张伟", "limit": "x"}, "limit", "invalid"),
        ({"q": "张伟", "offset": "-1"}, "offset", "out_of_range"),
        ({"q": "张伟", "category": "nope"}, "category", "invalid_choice"),
        ({"q": "张伟", "business_type": "zz"}, "business_type", "invalid_choice"),
    ],
)
def test_bad_requests(data, api, params, field, code):
    from archive.models import AuditEntry

    response = api(data.users["江岸"], **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field and error["code"] == code and error["message"]
    assert not AuditEntry.objects.filter(object_type="search").exists()


def test_jurisdiction(data, api):
    i = data.items
    body = api(data.users["汉阳"], q="张伟").json()
    assert [h["archive_number"] for h in body["hits"]] == [i["汉阳张伟-入户"].archive_number]
    nothing = api(data.users["江岸"], q="汉阳区").json()
    assert nothing["total"] == 0 and nothing["hits"] == []
    assert api(data.users["江岸"], q="张伟", region="420105").json()["total"] == 0
    assert api(data.users["湖北"], q="张伟").json()["total"] == 4


def test_inspector_gets_masked_ids(data, api):
    head = data.households["张伟"].head_id_number
    body = api(data.users["江岸监督"], q="3,215.40").json()
    assert body["hits"][0]["household"] == head[:6] + "*" * 8 + head[-4:]
    assert head not in json.dumps(body, ensure_ascii=False)


def test_logged(data, api):
    from archive.models import AuditEntry

    user = data.users["江岸"]
    api(user, q="张伟", region="420102", limit="5")
    entry = AuditEntry.objects.get(object_type="search")
    assert entry.action == AuditEntry.Action.VIEW and entry.actor == user
    assert entry.detail["query"] == "张伟"
    assert entry.detail["filters"] == {"region": "420102"}
    assert entry.detail["total"] == 3


def test_authentication_and_permission(data, api, client):
    response = client.get(URL, {"q": "张伟"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    response = api(data.users["无角色"], q="张伟")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_platform_token_without_view_item_is_refused(data, client):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("create_platform_token", "search-test", "--agency", "420102", "--json", stdout=out)
    token = json.loads(out.getvalue())["token"]
    response = client.get(URL, {"q": "张伟"}, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_in_the_schema(data, client):
    client.force_login(data.users["江岸"])
    schema = client.get("/api/v1/schema").content.decode()
    assert "/api/v1/search:" in schema
    assert "operationId: search" in schema


def test_a_roster_hit_names_the_household_that_matched(roster, api):
    (hit,) = api(roster.users["江岸"], q="孙丽红").json()["hits"]
    assert hit["archive_number"] == roster.items["花名册"].archive_number
    assert hit["household"] == roster.households["钱进"].head_id_number
    hits = api(roster.users["江岸"], q="李明").json()["hits"]
    number = roster.items["花名册"].archive_number
    (own,) = [h for h in hits if h["archive_number"] == number]
    assert own["household"] == roster.households["李明"].head_id_number
