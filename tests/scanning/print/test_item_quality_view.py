"""The item's scanning-quality page: checks the stored scan (TIFF or PDF), keeps and shows it."""

from __future__ import annotations

import io

import img2pdf
import pytest
from django.urls import reverse
from PIL import Image

from archive.models import AuditEntry, File
from archive.storage import store_bytes
from scanning import quality
from tests.synthetic import make_households, render_form
from tests.synthetic.degrade import degrade, downsample

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def scans():
    page = render_form("report", make_households(1, seed=3)[0], dpi=300).images[0]
    blank = Image.new("L", page.size, 255)
    blank.info["dpi"] = (300, 300)
    return {
        "front": degrade(page, "scan", seed=1),
        "blank": degrade(blank, "scan", seed=1),
        "low": degrade(downsample(page, 150), "scan", seed=1),
    }


def attach(item, data: bytes, media_type: str):
    File.objects.filter(item=item).delete()
    blob = store_bytes(data)
    File.objects.create(
        item=item,
        role=File.Role.ORIGINAL,
        sha256=blob.sha256,
        size=blob.size,
        media_type=media_type,
    )


def tiff(*frames) -> bytes:
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=list(frames[1:]), dpi=(300, 300))
    return buf.getvalue()


def test_check_item_on_a_multipage_tiff(make_household, make_item, scans):
    item = make_item(make_household("420102"), "HDB")
    attach(item, tiff(scans["front"], scans["blank"], scans["front"]), "image/tiff")
    result = quality.check_item(item, duplex=True)
    assert result["scanned"] == 3 and result["kept"] == [1, 3]
    item.refresh_from_db()
    assert item.fields["page_quality"]["pages"][1]["dropped"] is True


def scanned_pdf(*images) -> bytes:
    frames = []
    for image in images:
        buf = io.BytesIO()
        image.convert("L").save(buf, "JPEG", dpi=tuple(round(d) for d in image.info["dpi"]))
        frames.append(buf.getvalue())
    return img2pdf.convert(*frames)


def test_check_item_reads_dpi_of_scans_in_a_pdf(make_household, make_item, scans):
    item = make_item(make_household("420102"), "HDB")
    attach(item, scanned_pdf(scans["front"], scans["low"]), "application/pdf")
    result = quality.check_item(item)
    dpis = [round(p["dpi"]) for p in result["pages"]]
    assert dpis == [300, 150]
    assert result["refused"] == [2] and "低于 200 dpi" in result["problems"][0]


def test_born_digital_pdf_pages_are_not_scans(make_household, make_item):
    item = make_item(make_household("420102"), "HDB")  # text_pdf: no images
    result = quality.check_item(item, save=False)
    assert result["scanned"] == 0 and result["refused"] == []


def test_view_runs_and_shows_the_check(client, make_user, make_household, make_item, scans):
    item = make_item(make_household("420102"), "HDB")
    attach(item, scanned_pdf(scans["front"], scans["low"]), "application/pdf")
    client.force_login(make_user("420102", "档案管理员"))
    url = reverse("scanning:item_quality", args=(item.pk,))
    assert "尚未检查" in client.get(url).content.decode()
    response = client.post(url, {"duplex": ""}, follow=True)
    html = response.content.decode()
    assert "第 2 页分辨率低于 200 dpi：150 dpi" in html and "拒收" in html
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CHANGE, object_id=str(item.pk)
    ).exists()


def test_view_other_county_is_404(client, make_user, make_household, make_item):
    item = make_item(make_household("420105", "刘洋", birth="19660808"), "HDB")
    client.force_login(make_user("420102", "档案管理员"))
    assert client.get(reverse("scanning:item_quality", args=(item.pk,))).status_code == 404
    denied = AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).latest("id")
    assert denied.object_type == "archive.Item" and denied.object_id == str(item.pk)
