"""A scanned stack (rasterised pages, OCR for real) with a page before the first sheet: the
archivist's split files the pages with their recognised text."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from PIL import Image

from archive.models import File, Item, Subtype
from archive.storage import read_blob
from ingest.models import Document
from scanning.split import PartChoice, confirm_split
from tests.ingest.conftest import scan_page
from tests.scanning.split.conftest import REGION, ingest
from tests.scanning.test_scanned_stack import _sheet_image
from tests.synthetic.scans import write_pdf_from_images

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _scan(*lines: str) -> Image.Image:
    image = Image.open(io.BytesIO(scan_page(list(lines))))
    image.load()
    return image


def test_a_scanned_stack_is_split_as_the_archivist_confirms(
    hubei, make_household, make_user, tmp_path
):
    zhang = make_household(REGION, "张伟")
    pages = [
        _scan("其他证明", f"户主姓名：{zhang.head_name}", "核查日期：2024年3月6日"),
        _sheet_image(tmp_path, zhang, "SQS", 1.0),
        _scan("信息核对授权书", f"户主姓名：{zhang.head_name}", "签字日期：2024年3月6日"),
        _scan("信息核对授权书（续）", "本人承诺所提供的信息真实"),
    ]
    path = write_pdf_from_images(pages, tmp_path / "scan.pdf", dpi=300, quality=85)
    document = ingest(hubei, path.read_bytes(), name="scan.pdf")
    assert document.status == Document.Status.REVIEW, document.error
    proposal = document.item.fields["proposed_split"]
    assert proposal["separators"] == [2]
    assert "第一张分隔页之前有材料页" in proposal["problems"]

    old_pk = document.item.pk
    parts = [
        PartChoice(1, 1, zhang, Subtype.objects.get(code="QTZ")),
        PartChoice(3, 4, zhang, Subtype.objects.get(code="SQS")),
    ]
    items = confirm_split(document.item, parts, make_user(REGION), excluded=[2])

    assert [(i.subtype.code, i.page_count, i.carrier) for i in items] == [
        ("QTZ", 1, Item.Carrier.PAPER),
        ("SQS", 2, Item.Carrier.PAPER),
    ]
    assert "其他证明" in items[0].pages.get(number=1).text.replace(" ", "")
    assert "授权书" in items[1].pages.get(number=1).text.replace(" ", "")
    for item in items:
        assert item.status == Item.Status.FILED and item.archive_number
        access = item.files.get(role=File.Role.ACCESS)
        assert len(pdfium.PdfDocument(read_blob(access.sha256))) == item.page_count
        assert item.files.filter(role=File.Role.THUMBNAIL).count() == item.page_count
    document.refresh_from_db()
    assert document.status == Document.Status.FILED and document.item == items[0]
    assert not Item.objects.filter(pk=old_pk).exists()
