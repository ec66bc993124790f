"""Out-of-scope and unpermitted access: 404 or 403, never a leak, always a DENIED entry."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from archive.models import AuditEntry, File, Item

pytestmark = pytest.mark.django_db


def denied_entries(**filters):
    return AuditEntry.objects.filter(action="denied", **filters)


def test_county_user_gets_404_for_another_countys_household_item_and_file(
    login, make_user, hanyang_household
):
    client = login(make_user("420102"))
    item = Item.objects.get(household=hanyang_household)
    file = File.objects.get(item=item)
    targets = [
        (
            "archive.Household",
            hanyang_household.pk,
            reverse("archive_household:detail", args=[hanyang_household.pk]),
        ),
        ("archive.Item", item.pk, reverse("archive_item:detail", args=[item.pk])),
        ("archive.File", file.pk, reverse("archive_item:download", args=[file.pk])),
        (
            "archive.Household",
            hanyang_household.pk,
            reverse("archive_household:edit", args=[hanyang_household.pk]),
        ),
    ]
    for object_type, pk, url in targets:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "刘洋" not in response.content.decode()
        entry = denied_entries(object_type=object_type, object_id=str(pk)).get(detail__path=url)
        assert entry.actor.agency.region_code == "420102"
        assert entry.agency_code == "420102"
    assert not AuditEntry.objects.filter(action__in=["view", "download"]).exists()


def test_missing_object_answers_exactly_like_an_out_of_scope_one(
    login, make_user, hanyang_household
):
    client = login(make_user("420102"))
    foreign = client.get(reverse("archive_household:detail", args=[hanyang_household.pk]))
    missing = client.get(reverse("archive_household:detail", args=[999999]))
    assert foreign.status_code == missing.status_code == 404
    assert denied_entries(object_id="999999").exists()


def test_user_without_model_permission_gets_403_and_a_denied_entry(
    login, make_user, jiangan_household
):
    user = make_user("420102", role=None)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client = login(user)
    url = reverse("archive_household:detail", args=[jiangan_household.pk])
    response = client.get(url)
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    entry = denied_entries().get()
    assert entry.object_type == "archive.Household"
    assert entry.detail["reason"] == "permission" and entry.detail["path"] == url
    assert client.get(reverse("archive_household:index")).status_code == 403
    assert denied_entries(detail__path=reverse("archive_household:index")).exists()


def test_superuser_sees_everything(login, make_user, jiangan_household, hanyang_household):
    admin = make_user("420000", role=None, username="root", is_superuser=True)
    client = login(admin)
    for household in (jiangan_household, hanyang_household):
        url = reverse("archive_household:detail", args=[household.pk])
        assert client.get(url).status_code == 200


def test_edit_household_out_of_scope_cannot_be_posted(login, make_user, hanyang_household):
    client = login(make_user("420102"))
    url = reverse("archive_household:edit", args=[hanyang_household.pk])
    response = client.post(url, {"head_name": "改名", "agency": hanyang_household.agency_id})
    assert response.status_code == 404
    hanyang_household.refresh_from_db()
    assert hanyang_household.head_name == "刘洋"
    assert denied_entries(detail__method="POST").exists()
