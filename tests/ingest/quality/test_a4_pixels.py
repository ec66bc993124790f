"""A JPEG whose pixels cannot hold an A4 page at 200 dpi (595×842 px marked 72 dpi, what a
program writes when it does not know the scan's size) is refused at the door with the rule
named, through every way in: nothing stored, nothing queued, no item."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from archive.models import AuditEntry, Item
from archive.storage import archive_storage, blob_name
from ingest import hotfolder
from ingest.models import Document, Station
from tests.ingest.quality.conftest import jpeg

pytestmark = pytest.mark.django_db

RULE = (
    "第 1 页分辨率低于 200 dpi：595×842 像素的 A4 页面约 72 dpi"
    "（标注 72 dpi（软件默认值，非扫描分辨率）），A4 按 200 dpi 至少需 1654×2339 像素"
)


@pytest.fixture
def small_a4(form_pages) -> bytes:
    return jpeg(form_pages[0].resize((595, 842)), 72)


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr("ingest.intake.enqueue", sent.append)
    return sent


def _refused_and_nothing_stored(data: bytes, name: str, queued: list) -> Document:
    document = Document.objects.get(original_name=name)
    assert (document.status, document.error) == (Document.Status.REJECTED, RULE)
    assert document.sha256 == "" and document.item_id is None and not queued
    assert not archive_storage().exists(blob_name(hashlib.sha256(data).hexdigest()))
    assert not Item.objects.exists()
    assert AuditEntry.objects.filter(action="reject", object_id=str(document.pk)).exists()
    return document


def test_the_upload_refuses_it_and_says_why(client, make_user, small_a4, queued):
    client.force_login(make_user("420102"))
    response = client.post(
        reverse("ingest:upload"),
        {"files": [SimpleUploadedFile("photo.jpg", small_a4, content_type="image/jpeg")]},
        follow=True,
    )
    page = response.content.decode()
    assert "已拒收" in page and "至少需 1654×2339 像素" in page
    _refused_and_nothing_stored(small_a4, "photo.jpg", queued)


def test_the_hot_folder_moves_it_to_rejected_with_the_rule(
    hubei, settings, tmp_path, small_a4, queued
):
    settings.HEDANG_INBOX_DIR = tmp_path / "inbox"
    station = Station.objects.create(name="desk", agency=hubei["420102"])
    folder = tmp_path / "inbox" / station.name
    folder.mkdir(parents=True)
    (folder / "photo.jpg").write_bytes(small_a4)
    (document,) = hotfolder.take_files(station, [folder / "photo.jpg"])
    _refused_and_nothing_stored(small_a4, "photo.jpg", queued)
    assert document.status == Document.Status.REJECTED
    assert not (folder / "photo.jpg").exists()
    assert (folder / ".rejected" / "photo.jpg").read_bytes() == small_a4


def test_the_command_refuses_it_with_the_rule(hubei, tmp_path, small_a4, queued):
    path = tmp_path / "photo.jpg"
    path.write_bytes(small_a4)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("ingest", str(path), "--sync", "--json", stdout=out)
    line = json.loads(out.getvalue())
    assert (line["status"], line["error"], line["items"]) == ("rejected", RULE, [])
    _refused_and_nothing_stored(small_a4, "photo.jpg", queued)


def test_the_same_pixels_marked_with_a_real_resolution_are_refused_by_that_rule(form_pages):
    from ingest import quality

    declared = jpeg(form_pages[0].resize((595, 842)), 100)
    assert quality.resolution_refusal(declared, "image/jpeg") == (
        "第 1 页分辨率低于 200 dpi：100 dpi"
    )
    # An A4-shaped image with enough pixels for 200 dpi passes, whatever it is marked.
    enough = io.BytesIO()
    Image.new("L", (1654, 2339), 255).save(enough, "JPEG", dpi=(72, 72))
    assert quality.resolution_refusal(enough.getvalue(), "image/jpeg") is None
