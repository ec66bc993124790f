"""The 导出页图像 button: a ZIP of the masters, scoped like a file download, and logged."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

import pytest
from django.urls import reverse

from archive.models import AuditEntry
from ingest.stacks import join_page_images
from tests.scanning.export.conftest import jpeg_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanned(filed_with):
    scans = [jpeg_scan(n) for n in (1, 2)]
    return filed_with(join_page_images(scans), "application/pdf"), scans


def test_item_page_has_the_button_for_filed_items(client, make_user, scanned, make_household):
    item, _ = scanned
    client.force_login(make_user("420102", "档案管理员"))
    url = reverse("scanning:export_page_images", args=(item.pk,))
    html = client.get(reverse("archive_item:detail", args=(item.pk,))).content.decode()
    assert "导出页图像" in html and url in html


def test_page_images_need_the_full_id_permission(client, make_user, scanned):
    """The pixels carry resident IDs (issue 12): 信息管理 sees no button and gets 403."""
    item, _ = scanned
    client.force_login(make_user("420102", "信息管理"))
    html = client.get(reverse("archive_item:detail", args=(item.pk,))).content.decode()
    assert "导出页图像" not in html
    response = client.get(reverse("scanning:export_page_images", args=(item.pk,)))
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).exists()


def test_zip_has_the_scans_named_by_archive_number(client, make_user, scanned):
    item, scans = scanned
    user = make_user("420102", "档案管理员")
    client.force_login(user)
    response = client.get(reverse("scanning:export_page_images", args=(item.pk,)))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    stem = item.archive_number.replace("·", ".")
    assert quote(f"{stem}-页图像.zip") in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [f"{stem}-001.jpg", f"{stem}-002.jpg"]
        assert [archive.read(n) for n in archive.namelist()] == scans
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).get()
    assert entry.actor == user and entry.object_id == str(item.pk)
    assert [f["name"] for f in entry.detail["files"]] == [f"{stem}-001.jpg", f"{stem}-002.jpg"]
    assert "X-Hedang-Rendered-Pages" not in response


def test_other_countys_user_gets_404_and_is_recorded(client, make_user, filed_with, make_household):
    item = filed_with(jpeg_scan(1), "image/jpeg", household=make_household("420105", "刘洋"))
    client.force_login(make_user("420102", "档案管理员"))
    response = client.get(reverse("scanning:export_page_images", args=(item.pk,)))
    assert response.status_code == 404
    denied = AuditEntry.objects.get(action=AuditEntry.Action.DENIED)
    assert (denied.object_type, denied.object_id) == ("archive.Item", str(item.pk))
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_without_the_download_permission_it_is_403(client, make_user, scanned):
    from django.contrib.auth.models import Permission

    item, _ = scanned
    user = make_user("420102", None)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_item", content_type__app_label="archive"),
    )
    client.force_login(user)
    response = client.get(reverse("scanning:export_page_images", args=(item.pk,)))
    assert response.status_code == 403
    denied = AuditEntry.objects.get(action=AuditEntry.Action.DENIED)
    assert denied.detail["permission"] == "archive.view_file"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_unfiled_item_has_nothing_to_export(client, make_user, make_household, make_item):
    item = make_item(make_household("420102"), "RHB")
    client.force_login(make_user("420102", "档案管理员"))
    response = client.get(reverse("scanning:export_page_images", args=(item.pk,)))
    assert response.status_code == 404
    html = client.get(reverse("archive_item:detail", args=(item.pk,))).content.decode()
    assert "导出页图像" not in html
