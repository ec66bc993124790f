"""Leaks and existence oracles across jurisdictions (issue 12, high): every attack of the
probe, and the answer it gets now. 江岸 420102 and 汉阳 420105 / 宜昌 420500 are strangers."""

from __future__ import annotations

import pytest

from archive.models import AuditEntry, Household, Item, PlatformReceipt
from tests.push import pki
from tests.push.conftest import person_id, post, push, report_meta

pytestmark = pytest.mark.django_db

YICHANG = "420502"  # 宜昌市西陵区


def other_material(head_id: str, head_name: str = "张伟", **extra) -> dict:
    meta = {
        "category": "proof",
        "subtype": "其他证明",
        "document_number": "2024-001",
        "formed_on": "2024-03-01",
        "household": {"head": {"name": head_name, "id_number": head_id}},
    }
    meta.update(extra)
    return meta


def test_material_key_is_scoped_to_agency_and_household(platform_client, make_household):
    """宜昌 pushes 其他证明 "2024-001"; 江岸 pushes the same number and bytes for its own
    household: it files its own item and never sees 宜昌's receipt or 档号."""
    yichang_home = make_household(YICHANG, "王五")
    jiangan_home = make_household("420102", "赵六")
    pdf = pki.report_pdf("其他证明 2024-001")
    first = post(
        platform_client(YICHANG),
        "/api/v1/materials",
        other_material(yichang_home.head_id_number, "王五"),
        pdf,
    )
    assert first.status_code == 201, first.content
    foreign_number = first.json()["archive_number"]

    same = post(
        platform_client("420102"),
        "/api/v1/materials",
        other_material(jiangan_home.head_id_number, "赵六"),
        pdf,
    )
    assert same.status_code == 201, same.content  # filed, not a replay
    body = same.content.decode()
    assert foreign_number not in body
    assert yichang_home.head_id_number not in body
    assert same.json()["archive_number"] != foreign_number
    assert Item.objects.filter(agency__region_code="420102").count() == 1

    other_bytes = post(
        platform_client("420102"),
        "/api/v1/materials",
        other_material(jiangan_home.head_id_number, "赵六"),
        pki.report_pdf("其他证明 2024-001 第二版"),
    )
    # A conflict now concerns 江岸's own item only.
    assert other_bytes.status_code == 409
    assert foreign_number not in other_bytes.content.decode()
    keys = list(PlatformReceipt.objects.values_list("key", flat=True))
    assert all(k.startswith("material:") for k in keys) and len(set(keys)) == 2


def test_patch_to_a_foreign_head_is_no_oracle(client_for, make_household, denials):
    """PATCH of one's own household with another county's head ID answered 该户主身份证号已建档;
    now it is answered as for an unknown ID, and the match is logged as denied."""
    foreign = make_household("420105", "刘洋")
    mine = make_household("420102", "张三")
    unknown_head = person_id("420102", "19900101", 11)
    client, _ = client_for("420102")

    as_foreign = client.patch(
        f"/api/v1/households/{mine.pk}",
        {"head_id_number": foreign.head_id_number},
        format="json",
    )
    assert as_foreign.status_code == 200, as_foreign.content
    assert "已建档" not in as_foreign.content.decode()
    denied = denials(object_type="archive.Household", object_id=str(foreign.pk))
    assert denied.count() == 1
    assert denied.get().detail["reason"] == "cross_jurisdiction_match"

    other = make_household("420102", "李四")
    as_unknown = client.patch(
        f"/api/v1/households/{other.pk}", {"head_id_number": unknown_head}, format="json"
    )
    assert as_unknown.status_code == as_foreign.status_code
    # Within the county the clash is still reported.
    clash = client.patch(
        f"/api/v1/households/{other.pk}", {"head_id_number": foreign.head_id_number}, format="json"
    )
    assert clash.status_code == 400
    assert clash.json()["error"]["code"] == "unique"


def test_create_with_a_foreign_head_files_the_countys_own(client_for, make_household, denials):
    foreign = make_household("420105", "刘洋")
    client, _ = client_for("420102")
    response = client.post(
        "/api/v1/households",
        {"head_id_number": foreign.head_id_number, "head_name": "刘洋"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Household.objects.filter(head_id_number=foreign.head_id_number).count() == 2
    assert denials(object_id=str(foreign.pk)).count() == 1


def test_push_for_foreign_and_unknown_head_answer_alike(
    platform_client, signed_report, make_household, denials
):
    """A push for a foreign head answered 403 其他辖区, an unknown one 422 (or 201): now both
    get the same answer, and the county files its own household."""
    foreign = make_household("420105", "刘洋")
    client = platform_client("420102")
    meta = report_meta()
    meta["household"]["head"] = {"name": "刘洋", "id_number": foreign.head_id_number}
    as_foreign = push(client, meta, signed_report())
    unknown = report_meta("第42010220240300018aaf1号")
    as_unknown = push(client, unknown, signed_report("第42010220240300018aaf1号"))
    assert as_foreign.status_code == as_unknown.status_code == 201, as_foreign.content
    assert "其他辖区" not in as_foreign.content.decode()
    own = Household.objects.get(agency__region_code="420102", head_id_number=foreign.head_id_number)
    assert own.pk != foreign.pk
    assert Household.objects.get(pk=foreign.pk).head_name == "刘洋"  # untouched
    assert denials(object_id=str(foreign.pk)).get().detail["via"] == "platform_push"

    # A review report needs an earlier report of the household: for a foreign head the
    # county's own (new) household has none, exactly as for a head never seen.
    review = report_meta("第42010220240400019aas1号", issued_on="2024-04-02")
    foreign2 = make_household("420105", "陈七", birth="19700101")
    review["household"]["head"] = {"name": "陈七", "id_number": foreign2.head_id_number}
    b = push(client, review, signed_report("第42010220240400019aas1号"))
    never = report_meta("第42010220240400020aas1号", issued_on="2024-04-02")
    never["household"]["head"]["id_number"] = person_id("420102", "19900101", 12)
    a = push(client, never, signed_report("第42010220240400020aas1号"))
    assert a.status_code == 422
    assert a.json()["error"]["code"] == "no_earlier_report"
    assert (b.status_code, b.json()["error"]["code"]) == (a.status_code, "no_earlier_report")


def test_duplicate_bytes_across_counties_are_filed_again(make_user, make_household, make_item):
    """Bytes filed in 汉阳 uploaded in 江岸: 江岸 files its own copy, learns no foreign 档号."""
    from archive.storage import read_blob
    from ingest import pipeline
    from ingest.models import Batch, Document

    hanyang = make_household("420105", "刘洋")
    foreign_item = make_item(hanyang)
    original = foreign_item.files.get(role="original")
    data = read_blob(original.sha256)
    user = make_user("420102")
    batch = Batch.objects.create(agency=user.agency, created_by=user, source="upload")
    [document] = pipeline.submit(batch, "copy.pdf", data)
    assert document.status == Document.Status.QUEUED
    assert document.duplicate_of is None
    assert str(foreign_item) not in document.error
    # The same bytes again in 江岸 are a duplicate of 江岸's own document.
    [again] = pipeline.submit(batch, "copy2.pdf", data)
    assert again.status == Document.Status.DUPLICATE


def test_denied_entries_belong_to_the_callers_agency(client_for, make_household):
    foreign = make_household("420105", "刘洋")
    client, _ = client_for("420102")
    assert client.get(f"/api/v1/households/{foreign.head_id_number}").status_code == 404
    entry = AuditEntry.objects.filter(action="denied").latest("id")
    assert entry.agency_code == "420102"
