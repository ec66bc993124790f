"""Jurisdiction: a county sees its county, a city its counties, the province everything."""

from __future__ import annotations

import pytest

from archive.filing import file_item

pytestmark = pytest.mark.django_db


def heads(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["head_name"] for row in response.json()["results"]}


@pytest.fixture
def three_counties(make_household):
    return {
        "江岸": make_household("420102", "江岸户"),
        "汉阳": make_household("420105", "汉阳户"),
        "西陵": make_household("420502", "西陵户"),
    }


def test_county_user_lists_only_its_households(client_for, three_counties):
    client, _ = client_for("420102")
    response = client.get("/api/v1/households")
    assert heads(response) == {"江岸户"}
    assert response.json()["count"] == 1


def test_city_user_sees_its_counties(client_for, three_counties):
    client, _ = client_for("420100")
    assert heads(client.get("/api/v1/households")) == {"江岸户", "汉阳户"}
    assert heads(client.get("/api/v1/households?agency=420105")) == {"汉阳户"}
    # Filtering by an agency outside the jurisdiction finds nothing, it never widens the scope.
    assert heads(client.get("/api/v1/households?agency=420502")) == set()


def test_province_sees_all(client_for, three_counties):
    client, _ = client_for("420000")
    assert heads(client.get("/api/v1/households")) == {"江岸户", "汉阳户", "西陵户"}
    assert heads(client.get("/api/v1/households?agency=420500")) == {"西陵户"}


def test_agencies_are_the_users_tree(client_for):
    client, _ = client_for("420100")
    response = client.get("/api/v1/agencies?limit=500")
    codes = {a["region_code"] for a in response.json()["results"]}
    assert {"420100", "420102", "420105"} <= codes
    assert "420000" not in codes and "420502" not in codes
    assert all(code.startswith("4201") for code in codes)


def test_household_of_another_county_is_404_and_logged(client_for, three_counties, denials):
    client, user = client_for("420102")
    other = three_counties["汉阳"]
    response = client.get(f"/api/v1/households/{other.head_id_number}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    entry = denials(object_type="archive.Household", object_id=str(other.pk)).get()
    assert entry.actor_name == user.username
    assert entry.detail["path"] == f"/api/v1/households/{other.head_id_number}"
    assert entry.detail["reason"] == "out_of_jurisdiction"


def test_missing_and_foreign_look_alike(client_for, three_counties, denials):
    client, _ = client_for("420102")
    foreign = client.get(f"/api/v1/households/{three_counties['汉阳'].head_id_number}")
    missing = client.get("/api/v1/households/11010519491231002X")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert denials().count() == 1  # only the real refusal is logged


def test_item_and_file_of_another_county_are_404_and_logged(
    client_for, three_counties, make_item, denials
):
    item = file_item(make_item(three_counties["汉阳"], "SQS"))
    stored = item.files.get()
    client, _ = client_for("420102")

    response = client.get(f"/api/v1/items/{item.archive_number}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert denials(object_type="archive.Item", object_id=str(item.pk)).count() == 1

    path = f"/api/v1/items/{item.archive_number}/files/{stored.sha256}"
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
    entry = denials(object_type="archive.Item").latest("id")
    assert entry.detail["path"] == path

    # The same item by its numeric id, and the list filtered to it, reveal nothing either.
    assert client.get(f"/api/v1/items/{item.pk}").status_code == 404
    listed = client.get(f"/api/v1/items?household={three_counties['汉阳'].head_id_number}")
    assert listed.json()["count"] == 0


def test_member_of_another_county_is_404(client_for, three_counties, denials):
    member = three_counties["西陵"].members.get()
    client, _ = client_for("420100")
    assert client.get(f"/api/v1/members/{member.pk}").status_code == 404
    assert denials(object_type="archive.Member", object_id=str(member.pk)).exists()
    response = client.patch(f"/api/v1/members/{member.pk}", {"name": "改"}, format="json")
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.name == "西陵户"


def test_patch_of_foreign_household_changes_nothing(client_for, three_counties, denials):
    client, _ = client_for("420102")
    other = three_counties["西陵"]
    response = client.patch(
        f"/api/v1/households/{other.head_id_number}", {"head_name": "改名"}, format="json"
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.head_name == "西陵户"
    assert denials(object_type="archive.Household", object_id=str(other.pk)).count() == 1


def test_household_detail_groups_items_by_category(client_for, three_counties, make_item):
    household = three_counties["江岸"]
    make_item(household, "SQS")
    make_item(household, "HDB")
    make_item(household, "SRZ")
    client, _ = client_for("420102")
    response = client.get(f"/api/v1/households/{household.head_id_number}")
    assert response.status_code == 200
    body = response.json()
    assert set(body["items"]) == {"process", "proof", "report", "report_application"}
    assert [i["subtype"] for i in body["items"]["process"]] == ["核对授权书"]
    assert [i["subtype"] for i in body["items"]["report"]] == ["核对报告"]
    assert [i["subtype"] for i in body["items"]["proof"]] == ["可支配收入证明"]
    assert body["items"]["report_application"] == []
    assert [m["relation"] for m in body["members"]] == ["本人"]
    assert body["cases"] == []
    # The numeric id names the same household.
    assert client.get(f"/api/v1/households/{household.pk}").json()["id"] == household.pk


def test_item_filters(client_for, three_counties, make_item):
    import datetime as dt

    household = three_counties["江岸"]
    filed = file_item(make_item(household, "SQS"))
    make_item(household, "RHB", formation_date=dt.date(2023, 5, 1))
    make_item(three_counties["汉阳"], "SQS")
    client, _ = client_for("420102")

    def numbers(query: str) -> list:
        response = client.get(f"/api/v1/items{query}")
        assert response.status_code == 200, response.content
        return sorted(i["subtype"] for i in response.json()["results"])

    assert numbers("") == ["入户核查表", "核对授权书"]
    assert numbers("?category=process&status=filed") == ["核对授权书"]
    assert numbers("?subtype=RHB") == ["入户核查表"]
    assert numbers("?subtype=入户核查表") == ["入户核查表"]
    assert numbers("?year=2024") == ["核对授权书"]
    assert numbers(f"?household={household.head_id_number}") == ["入户核查表", "核对授权书"]
    assert numbers(f"?q={filed.archive_number}") == ["核对授权书"]
    bad = client.get("/api/v1/items?category=nonsense")
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "category"
