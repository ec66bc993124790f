"""待确认: a new household from the IDs found in one step, 退回 with a reason, suggestions
recomputed when a household appears."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import AuditEntry, File, Household, Item, Subtype
from ingest.models import Document

pytestmark = pytest.mark.django_db


def _found_id(item) -> str:
    return item.fields["identifiers"]["resident_ids"][0]


def test_unknown_household_is_created_and_the_item_filed_in_one_post(login, seeded):
    client = login(seeded.users.archivist)
    item = seeded.unknown
    url = reverse("ingest:review", args=(item.pk,))
    page = client.get(url).content.decode()
    assert "按识别出的号码新建户并归档" in page and "陈静" in page
    report = Subtype.objects.get(code="HDB")
    response = client.post(
        url,
        {
            "action": "create_household",
            "new_head_id": _found_id(item),
            "new_head_name": "陈静",
            "new_subtype": report.pk,
        },
    )
    assert response.status_code == 302
    household = Household.objects.get(head_id_number=_found_id(item))
    item.refresh_from_db()
    assert (item.status, item.household, item.subtype) == (Item.Status.FILED, household, report)
    assert item.archive_number and household.agency == item.agency
    assert household.members.get().relation == "本人"
    assert AuditEntry.objects.filter(
        action="create", object_type="archive.Household", object_id=str(household.pk)
    ).exists()


def test_new_household_refuses_an_id_not_on_the_item_and_changes_nothing(login, seeded):
    client = login(seeded.users.archivist)
    item = seeded.unknown
    before = Household.objects.count()
    response = client.post(
        reverse("ingest:review", args=(item.pk,)),
        {
            "action": "create_household",
            "new_head_id": seeded.zhang.head_id_number,
            "new_head_name": "张伟",
            "new_subtype": Subtype.objects.get(code="HDB").pk,
        },
    )
    assert response.status_code == 400
    assert "只能用本件识别出" in response.content.decode()
    assert Household.objects.count() == before
    item.refresh_from_db()
    assert item.status == Item.Status.REVIEW


def test_inspector_cannot_make_households_from_the_queue(login, seeded):
    client = login(seeded.users.inspector)
    response = client.get(reverse("ingest:review", args=(seeded.unknown.pk,)))
    assert "新建户并归档" not in response.content.decode()


def test_reject_needs_a_reason_keeps_the_original_and_is_logged(login, seeded):
    client = login(seeded.users.archivist)
    item = seeded.unknown
    url = reverse("ingest:review", args=(item.pk,))
    files = list(File.objects.filter(item=item).values_list("pk", "sha256"))
    empty = client.post(url, {"action": "reject", "reason": " "})
    assert empty.status_code == 400 and "请填写退回原因" in empty.content.decode()
    item.refresh_from_db()
    assert item.status == Item.Status.REVIEW

    client.post(url, {"action": "reject", "reason": "重复扫描，与批次 3 相同"})
    item.refresh_from_db()
    assert item.status == Item.Status.ATTENTION
    assert item.status_detail == "退回：重复扫描，与批次 3 相同"
    assert list(File.objects.filter(item=item).values_list("pk", "sha256")) == files
    assert Document.objects.get(item=item).status == Document.Status.REJECTED
    entry = AuditEntry.objects.get(action="reject", object_id=str(item.pk))
    assert entry.detail["reason"] == "重复扫描，与批次 3 相同"
    assert item not in Item.objects.filter(status=Item.Status.REVIEW)


def test_suggestions_are_recomputed_when_the_household_appears(login, seeded, make_household):
    client = login(seeded.users.archivist)
    item = seeded.unknown
    url = reverse("ingest:review", args=(item.pk,))
    assert 'data-testid="candidates"' not in client.get(url).content.decode()
    Household.objects.create(agency=item.agency, head_id_number=_found_id(item), head_name="陈静")
    page = client.get(url).content.decode()
    assert 'data-testid="candidates"' in page and "陈静户" in page
    assert "按识别出的号码新建户并归档" not in page
