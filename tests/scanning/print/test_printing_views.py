"""The 打印 page, print previews and the PDFs they embed: permissions, scope and the log."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from archive.models import AuditEntry
from tests.scanning.print.conftest import flat, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def archivist(make_user):
    return make_user("420102", "档案管理员")


def pdf(kind, pk):
    return reverse("scanning:print_pdf", args=(kind, pk))


def test_menu_and_index_list_households_and_boxes(client, archivist, filed_household):
    household, _, box = filed_household
    client.force_login(archivist)
    admin = client.get("/admin/")
    assert reverse("scanning:print_index") in admin.content.decode()
    page = client.get(reverse("scanning:print_index")).content.decode()
    assert "张伟户" in page
    assert reverse("scanning:print_preview", args=("household-catalogue", household.pk)) in page
    assert reverse("scanning:print_preview", args=("box-spine", box.pk)) in page


def test_index_hides_other_counties(client, archivist, filed_household, make_household):
    make_household("420105", "刘洋", birth="19660808")
    client.force_login(archivist)
    page = client.get(reverse("scanning:print_index")).content.decode()
    assert "张伟户" in page and "刘洋" not in page


def test_preview_embeds_inline_pdf(client, archivist, filed_household):
    household, _, _ = filed_household
    client.force_login(archivist)
    response = client.get(
        reverse("scanning:print_preview", args=("household-catalogue", household.pk))
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<iframe" in html and pdf("household-catalogue", household.pk) in html


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("household-catalogue", "归档文件目录"),
        ("household-stamps", "全宗号"),
        ("box-catalogue", "归档文件目录"),
        ("box-spine", "起止件号"),
        ("box-notes", "备考表"),
    ],
)
def test_pdf_served_inline_and_logged(client, archivist, filed_household, kind, expected):
    household, items, box = filed_household
    obj = household if kind.startswith("household") else box
    client.force_login(archivist)
    response = client.get(pdf(kind, obj.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert expected in flat(pdf_text(response.content)[0])
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.PRINT).latest("id")
    assert entry.actor == archivist
    assert entry.object_type == obj._meta.label and entry.object_id == str(obj.pk)
    assert entry.detail["form"] == kind


def test_household_catalogue_lists_its_filed_items(client, archivist, filed_household, make_item):
    household, items, _ = filed_household
    make_item(household, "SQS")  # not filed: not in the catalogue
    client.force_login(archivist)
    page = flat(pdf_text(client.get(pdf("household-catalogue", household.pk)).content)[0])
    for item in items:
        assert item.archive_number in page
    assert page.count("张伟户核对授权书") == 1


def test_download_is_an_attachment(client, archivist, filed_household):
    household, _, _ = filed_household
    client.force_login(archivist)
    response = client.get(pdf("household-catalogue", household.pk) + "?download=1")
    assert response["Content-Disposition"].startswith("attachment;")


def test_other_county_is_404_and_denied(client, archivist, make_household, make_item):
    other = make_household("420105", "刘洋", birth="19660808")
    make_item(other, "SQS")
    client.force_login(archivist)
    for url in (
        pdf("household-catalogue", other.pk),
        reverse("scanning:print_preview", args=("household-stamps", other.pk)),
    ):
        before = AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).count()
        assert client.get(url).status_code == 404
        denied = AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).latest("id")
        assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).count() == before + 1
        assert denied.object_type == "archive.Household" and denied.object_id == str(other.pk)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PRINT).exists()


def test_city_sees_its_counties(client, make_user, filed_household):
    household, _, _ = filed_household
    client.force_login(make_user("420100", "档案管理员"))
    assert client.get(pdf("household-catalogue", household.pk)).status_code == 200


def test_unknown_form_is_404(client, archivist, filed_household):
    household, _, _ = filed_household
    client.force_login(archivist)
    assert client.get(pdf("nonsense", household.pk)).status_code == 404


def test_without_permission_is_403_and_denied(client, make_user, filed_household):
    household, _, _ = filed_household
    from django.contrib.auth.models import Permission

    user = make_user("420102", None)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client.force_login(user)
    assert client.get(pdf("household-catalogue", household.pk)).status_code == 403
    assert client.get(reverse("scanning:print_index")).status_code == 403
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).exists()


def test_print_catalogue_command(tmp_path, filed_household):
    household, items, box = filed_household
    out = tmp_path / "catalogue.pdf"
    call_command("print_catalogue", "--household", str(household.pk), "-o", str(out))
    page = flat(pdf_text(out.read_bytes())[0])
    assert "序号" in page and items[0].archive_number in page and "20240306" in page
    spine = tmp_path / "spine.pdf"
    call_command("print_catalogue", "--box", str(box.pk), "--form", "spine", "-o", str(spine))
    assert "盒号" in flat(pdf_text(spine.read_bytes())[0])
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PRINT).count() == 2
