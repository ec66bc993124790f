"""Creating and editing households and members; the user forms' agency and real name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.identifiers import resident_id_check_char
from archive.models import Household, Member

pytestmark = pytest.mark.django_db


def valid_id(region="420102", birth="19900101", seq="555") -> str:
    body = region + birth + seq
    return body + resident_id_check_char(body)


def test_archivist_creates_household_and_invalid_id_is_refused(login, make_user, hubei):
    client = login(make_user("420102"))
    add = reverse("archive_household:add")
    form = client.get(add).context["form"]
    assert list(form.fields["agency"].queryset) == [hubei["420102"]]

    bad = valid_id()[:-1] + ("0" if valid_id()[-1] != "0" else "1")
    response = client.post(
        add, {"agency": hubei["420102"].pk, "head_name": "赵六", "head_id_number": bad}
    )
    assert response.status_code == 200
    assert "校验" in response.content.decode()  # the validator's Chinese message
    assert not Household.objects.filter(head_name="赵六").exists()

    response = client.post(
        add, {"agency": hubei["420105"].pk, "head_name": "赵六", "head_id_number": valid_id()}
    )
    assert response.status_code == 200, "an agency outside the jurisdiction is not a valid choice"

    good = valid_id(seq="556")
    response = client.post(
        add, {"agency": hubei["420102"].pk, "head_name": "赵六", "head_id_number": good.lower()}
    )
    household = Household.objects.get(head_name="赵六")
    assert response.status_code == 302
    assert response["Location"] == reverse("archive_household:detail", args=[household.pk])
    assert household.head_id_number == good  # stored upper-case


def test_archivist_edits_household(login, make_user, jiangan_household):
    client = login(make_user("420102"))
    url = reverse("archive_household:edit", args=[jiangan_household.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "agency": jiangan_household.agency_id,
            "head_name": "张伟",
            "head_id_number": jiangan_household.head_id_number,
            "address": "新地址 1 号",
            "phone": "027-12345678",
        },
    )
    assert response.status_code == 302
    jiangan_household.refresh_from_db()
    assert jiangan_household.address == "新地址 1 号"


def test_inspector_cannot_create_households(login, make_user):
    client = login(make_user("420100", "监督检查"))
    response = client.get(reverse("archive_household:add"))
    assert response.status_code == 403


def test_member_added_and_edited_from_household(login, make_user, jiangan_household):
    client = login(make_user("420102"))
    add = reverse("archive_member:add") + f"?household={jiangan_household.pk}"
    assert client.get(add).status_code == 200
    member_id = valid_id(birth="20150505", seq="777")
    response = client.post(
        add, {"name": "张小明", "id_number": member_id, "relation": "子女", "co_resident": "on"}
    )
    assert response.status_code == 302
    member = Member.objects.get(name="张小明")
    assert member.household == jiangan_household and member.co_resident

    response = client.post(add, {"name": "重复", "id_number": member_id, "relation": "子女"})
    assert response.status_code == 200
    assert "该户已有此身份证号的成员" in response.content.decode()

    edit = reverse("archive_member:edit", args=[member.pk])
    response = client.post(edit, {"name": "张小明", "id_number": member_id, "relation": "子女"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.co_resident is False  # now recorded as a non-resident obligor


def test_member_of_foreign_household_cannot_be_added(login, make_user, hanyang_household):
    client = login(make_user("420102"))
    add = reverse("archive_member:add") + f"?household={hanyang_household.pk}"
    assert client.get(add).status_code == 404
    response = client.post(add, {"name": "外人", "relation": "子女"})
    assert response.status_code == 404
    assert not Member.objects.filter(name="外人").exists()


def test_user_forms_set_agency_and_real_name(hubei):
    from archive.forms import HedangUserCreationForm, HedangUserEditForm

    form = HedangUserCreationForm(
        data={
            "username": "newclerk",
            "real_name": "钱七",
            "agency": hubei["420102"].pk,
            "email": "clerk@example.org",
            "first_name": "",
            "last_name": "",
            "password1": "Hedang-Strong-2026",
            "password2": "Hedang-Strong-2026",
        }
    )
    assert form.is_valid(), form.errors
    user = form.save()
    assert (user.real_name, user.agency) == ("钱七", hubei["420102"])
    assert {"agency", "real_name"} <= set(HedangUserEditForm(instance=user).fields)


def test_user_viewset_uses_hedang_forms():
    from archive.forms import HedangUserCreationForm, HedangUserEditForm
    from archive.views.users import HedangUserViewSet

    viewset = HedangUserViewSet("wagtailusers_users", url_prefix="users")
    assert viewset.get_form_class() is HedangUserCreationForm
    assert viewset.get_form_class(for_update=True) is HedangUserEditForm


def _hedang_users_app_installed() -> bool:
    from django.apps import apps

    from archive.users_app import HedangUsersAppConfig

    return isinstance(apps.get_app_config("wagtailusers"), HedangUsersAppConfig)


@pytest.mark.skipif(
    not _hedang_users_app_installed(),
    reason='settings: INSTALLED_APPS needs "archive.users_app.HedangUsersAppConfig" '
    'in place of "wagtail.users"',
)
def test_admin_creates_user_with_agency_and_real_name(login, make_user, hubei):
    from archive.models import User

    client = login(make_user("420000", role=None, username="root", is_superuser=True))
    add = reverse("wagtailusers_users:add")
    html = client.get(add).content.decode()
    assert "真实姓名" in html and "所属核对机构" in html
    response = client.post(
        add,
        {
            "username": "clerk2",
            "real_name": "孙八",
            "agency": hubei["420105"].pk,
            "email": "",
            "password1": "Hedang-Strong-2026",
            "password2": "Hedang-Strong-2026",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(username="clerk2")
    assert (user.real_name, user.agency.region_code) == ("孙八", "420105")
    index = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert "孙八" in index and "汉阳区" in index
