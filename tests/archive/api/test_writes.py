"""Creating and changing households and members; rejected requests store nothing."""

from __future__ import annotations

import pytest

from archive.identifiers import resident_id_check_char
from archive.models import AuditEntry, Household, Member

pytestmark = pytest.mark.django_db

BODY = "42010219850315123"
VALID = BODY + resident_id_check_char(BODY)
WRONG_CHECK = BODY + ("0" if resident_id_check_char(BODY) != "0" else "1")


def counts() -> tuple[int, int, int]:
    return Household.objects.count(), Member.objects.count(), AuditEntry.objects.count()


def test_create_household_with_members(client_for):
    client, user = client_for("420102")
    spouse_body = "42010219870101002"
    spouse = spouse_body + resident_id_check_char(spouse_body)
    response = client.post(
        "/api/v1/households",
        {
            "head_id_number": VALID,
            "head_name": "张伟",
            "address": "江岸区某路 1 号",
            "members": [
                {"name": "李娜", "id_number": spouse, "relation": "配偶"},
                {"name": "张父", "relation": "父亲", "co_resident": False},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["head_id_number"] == VALID
    assert body["agency"] == "420102"
    household = Household.objects.get(head_id_number=VALID)
    assert household.agency == user.agency
    relations = dict(household.members.values_list("relation", "id_number"))
    assert relations == {"本人": VALID, "配偶": spouse, "父亲": ""}
    created = AuditEntry.objects.filter(action="create", object_type="archive.Household")
    assert created.get().actor_name == user.username


def test_full_width_id_is_stored_canonically(client_for):
    client, _ = client_for("420102")
    full_width = VALID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"}).lower()
    response = client.post(
        "/api/v1/households", {"head_id_number": full_width, "head_name": "张伟"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Household.objects.get().head_id_number == VALID


def test_invalid_id_is_rejected_and_nothing_stored(client_for):
    client, _ = client_for("420102")
    before = counts()
    response = client.post(
        "/api/v1/households",
        {"head_id_number": WRONG_CHECK, "head_name": "张伟"},
        format="json",
    )
    assert response.status_code in (400, 422)
    error = response.json()["error"]
    assert error["code"] == "check_digit"
    assert error["field"] == "head_id_number"
    assert error["message"].startswith("校验码错误")
    assert counts() == before


def test_invalid_member_id_rolls_back_the_household(client_for):
    client, _ = client_for("420102")
    before = counts()
    response = client.post(
        "/api/v1/households",
        {
            "head_id_number": VALID,
            "head_name": "张伟",
            "members": [{"name": "李娜", "id_number": "420102199913310011", "relation": "配偶"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "birth_date",
        "message": "出生日期错误：19991331 不是有效日期",
        "field": "members.0.id_number",
    }
    assert counts() == before


def test_duplicate_head_is_rejected(client_for, make_household):
    # Unique per agency; another county's household with this head is tests/security's case.
    existing = make_household("420102", "刘洋")
    client, _ = client_for("420102")
    before = counts()
    response = client.post(
        "/api/v1/households",
        {"head_id_number": existing.head_id_number, "head_name": "某"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unique"
    assert counts() == before


def test_agency_outside_jurisdiction_is_rejected(client_for):
    client, _ = client_for("420102")
    response = client.post(
        "/api/v1/households",
        {"head_id_number": VALID, "head_name": "张伟", "agency": "420105"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "agency"
    assert not Household.objects.exists()


def test_missing_permission_is_403_and_logged(client_for, denials):
    client, user = client_for("420102", "监督检查")
    response = client.post(
        "/api/v1/households", {"head_id_number": VALID, "head_name": "张伟"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Household.objects.exists()
    entry = denials().get()
    assert entry.actor_name == user.username
    assert entry.object_type == "archive.Household"
    assert entry.detail["reason"] == "permission"
    assert entry.detail["path"] == "/api/v1/households"


def test_user_without_role_cannot_read(client_for, make_household, denials):
    make_household("420102")
    client, _ = client_for("420102", None)
    response = client.get("/api/v1/households")
    assert response.status_code == 403
    assert denials().count() == 1


def test_patch_household_and_head_follows(client_for, make_household):
    household = make_household("420102", "张伟")
    old = household.head_id_number
    client, _ = client_for("420102")
    response = client.patch(
        f"/api/v1/households/{old}",
        {"head_name": "张伟伟", "head_id_number": VALID},
        format="json",
    )
    assert response.status_code == 200, response.content
    household.refresh_from_db()
    assert (household.head_name, household.head_id_number) == ("张伟伟", VALID)
    assert household.members.get(relation="本人").id_number == VALID


def test_put_is_not_allowed(client_for, make_household):
    household = make_household("420102")
    client, _ = client_for("420102")
    response = client.put(f"/api/v1/households/{household.pk}", {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_unsupported_media_type(client_for):
    client, _ = client_for("420102")
    response = client.post("/api/v1/households", "x", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_members_create_and_duplicate(client_for, make_household):
    household = make_household("420102", "张伟")
    client, _ = client_for("420102")
    spouse_body = "42010219870101002"
    spouse = spouse_body + resident_id_check_char(spouse_body)
    payload = {
        "household": household.head_id_number,
        "name": "李娜",
        "id_number": spouse,
        "relation": "配偶",
    }
    response = client.post("/api/v1/members", payload, format="json")
    assert response.status_code == 201, response.content
    again = client.post("/api/v1/members", payload, format="json")
    assert again.status_code == 400
    assert again.json()["error"] == {
        "code": "unique",
        "message": "该户已有此身份证号的成员",
        "field": "id_number",
    }
    listed = client.get(f"/api/v1/members?household={household.pk}").json()
    assert listed["count"] == 2
    member_id = response.json()["id"]
    patched = client.patch(f"/api/v1/members/{member_id}", {"co_resident": False}, format="json")
    assert patched.status_code == 200
    assert Member.objects.get(pk=member_id).co_resident is False


def test_member_for_foreign_household_is_rejected(client_for, make_household):
    foreign = make_household("420105", "刘洋")
    client, _ = client_for("420102")
    response = client.post(
        "/api/v1/members",
        {"household": foreign.head_id_number, "name": "某", "relation": "子女"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "household"
    assert foreign.members.count() == 1
