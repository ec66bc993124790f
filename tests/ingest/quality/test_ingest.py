"""Quality checks at ingest, on real scans through the real pipeline (OCR included): low
resolution refused before anything is stored, warnings kept on the item, blank duplex backs
dropped from the access copy and the item's pages while the master stays as scanned."""

from __future__ import annotations

import hashlib
import io

import pypdfium2 as pdfium
import pytest
from PIL import Image

from archive.models import AuditEntry, File, Subtype
from archive.storage import archive_storage, blob_name, read_blob
from ingest import pipeline
from ingest.models import Batch, Document, Station
from tests.ingest.conftest import scan_page
from tests.ingest.quality.conftest import jpeg, tiff
from tests.synthetic.degrade import downsample

pytestmark = pytest.mark.django_db


def _batch(hubei, household=None, station=None) -> Batch:
    return Batch.objects.create(
        source=Batch.Source.HOT_FOLDER if station else Batch.Source.COMMAND,
        agency=hubei["420102"],
        station=station,
        household=household,
        subtype=Subtype.objects.get(code="HDB"),
        category="report",
    )


def test_a_150_dpi_scan_is_refused_at_submit_and_nothing_is_stored(hubei, form_pages):
    data = jpeg(downsample(form_pages[0], 150), 150)
    (document,) = pipeline.submit(_batch(hubei), "low.jpg", data)
    assert document.status == Document.Status.REJECTED
    assert document.error == "第 1 页分辨率低于 200 dpi：150 dpi"
    assert Document.objects.count() == 1 and document.sha256 == ""
    assert not archive_storage().exists(blob_name(hashlib.sha256(data).hexdigest()))
    assert AuditEntry.objects.filter(action="reject", object_id=str(document.pk)).exists()


def test_a_scanned_pdf_names_its_low_page(hubei, form_pages):
    import img2pdf

    data = img2pdf.convert(jpeg(form_pages[0], 300), jpeg(downsample(form_pages[0], 150), 150))
    (document,) = pipeline.submit(_batch(hubei), "two.pdf", data)
    assert (document.status, document.error) == ("rejected", "第 2 页分辨率低于 200 dpi：150 dpi")


@pytest.mark.slow
def test_a_250_dpi_scan_is_filed_with_a_warning(hubei, make_household):
    household = make_household("420102", "张伟")
    data = scan_page(["核对报告", f"户主：{household.head_name}", "2024年3月18日"], dpi=250)
    (document,) = pipeline.submit(_batch(hubei, household), "mid.png", data)
    document = pipeline.process(document.pk)
    assert document.status == Document.Status.FILED, document.error
    checked = document.item.fields["page_quality"]
    assert checked["refused"] == [] and checked["kept"] == [1]
    assert checked["warnings"] == [
        "第 1 页分辨率 250 dpi，低于 300 dpi：小字或密集文字应以 300 dpi 扫描"
    ]
    assert abs(checked["pages"][0]["skew"]) <= 3 and checked["pages"][0]["level"] == "warning"


@pytest.mark.slow
def test_a_duplex_station_drops_blank_backs_and_keeps_the_master(hubei, make_household):
    household = make_household("420102", "张伟")
    station = Station.objects.create(
        name="duplex-1", agency=hubei["420102"], duplex=True, dpi=300, colour_mode="grey"
    )
    fronts = [
        scan_page([f"核对报告 {word}", f"户主：{household.head_name}", "2024年3月18日"])
        for word in ("ALPHA", "GAMMA")
    ]
    back = scan_page([])
    frames = [Image.open(io.BytesIO(page)) for page in (fronts[0], back, fronts[1], back)]
    data = tiff(*frames)
    (document,) = pipeline.submit(_batch(hubei, household, station), "duplex.tif", data)
    document = pipeline.process(document.pk)
    assert document.status == Document.Status.FILED, document.error
    item = document.item
    assert item.page_count == 2
    texts = [p.text for p in item.pages.order_by("number")]
    assert "ALPHA" in texts[0] and "GAMMA" in texts[1]  # page order kept
    original = item.files.get(role=File.Role.ORIGINAL)
    assert original.sha256 == hashlib.sha256(data).hexdigest()
    assert read_blob(original.sha256) == data  # the master is the scan, all four pages
    access = item.files.get(role=File.Role.ACCESS)
    assert len(pdfium.PdfDocument(read_blob(access.sha256))) == 2
    checked = item.fields["page_quality"]
    assert (checked["kept"], checked["dropped"]) == ([1, 3], [2, 4])
    assert [(p["number"], p["page"]) for p in checked["pages"]] == [
        (1, 1),
        (2, None),
        (3, 2),
        (4, None),
    ]
    assert checked["profile"] == {"dpi": 300, "colour_mode": "grey", "duplex": True}
    assert "第 2 页为空白页，双面扫描的空白背面已剔除" in checked["warnings"]
    entry = AuditEntry.objects.get(object_id=str(document.pk), detail__has_key="page_quality")
    assert entry.detail["page_quality"]["dropped"] == [2, 4]
