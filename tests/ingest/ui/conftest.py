"""Fixtures for the ingest screens: logged-in clients, a review item, a document in trouble."""

from __future__ import annotations

import hashlib
import itertools

import pytest

# The staff UI's Chromium set-up (Debian's chromium, no network, zh-CN), shared with tests/archive/ui.

_serial = itertools.count(1)


@pytest.fixture
def login(client):
    """login(user) → the test client, logged in as that user."""

    def do(user):
        client.force_login(user)
        return client

    return do


def thumbnail_png(lines: list[str]) -> bytes:
    """A small page image, as the pipeline's thumbnails are."""
    from tests.ingest.conftest import scan_page

    return scan_page(lines, dpi=72, skew=0)


@pytest.fixture
def make_review_item(make_item, hubei):
    """make_review_item(household, candidates=[…]) → an item waiting in 待确认.

    As the pipeline leaves one: no household, the identifiers and candidates in ``fields``,
    one page of text with its thumbnail, and the ingest Document that produced it.
    """
    from archive.models import File, Item, Page
    from archive.storage import store_bytes
    from ingest.models import Batch, Document

    def make(household, candidates=(), region_code=None, subtype_code="RHB", title=None):
        agency = hubei[region_code] if region_code else household.agency
        item = make_item(household, subtype_code)
        text = (
            f"居民家庭经济状况入户核查表\n户主姓名：{household.head_name}  "
            f"身份证号码：{household.head_id_number}\n核查日期：2024年3月6日"
        )
        Item.objects.filter(pk=item.pk).update(
            household=None,
            agency=agency,
            category="",
            subtype=None,
            title=title or f"未识别材料（scan-{item.pk}.png）",
            status=Item.Status.REVIEW,
            status_detail="号码对应 2 户，需人工确认",
            fields={
                "identifiers": {
                    "resident_ids": [household.head_id_number],
                    "report_numbers": [],
                    "authorization_numbers": [],
                    "names": [household.head_name],
                    "dates": ["2024-03-06"],
                },
                "candidates": [h.pk for h in candidates],
                "source": {"name": f"scan-{item.pk}.png"},
            },
        )
        item.refresh_from_db()
        Page.objects.create(item=item, number=1, text=text)
        png = store_bytes(thumbnail_png(text.splitlines()))
        File.objects.create(
            item=item,
            role=File.Role.THUMBNAIL,
            sha256=png.sha256,
            size=png.size,
            media_type="image/png",
            page_number=1,
        )
        batch = Batch.objects.create(source=Batch.Source.UPLOAD, agency=agency)
        Document.objects.create(
            batch=batch,
            original_name=f"scan-{item.pk}.png",
            sha256=hashlib.sha256(f"review-{next(_serial)}".encode()).hexdigest(),
            size=1,
            media_type="image/png",
            status=Document.Status.REVIEW,
            step="indexed",
            item=item,
        )
        return item

    return make


@pytest.fixture
def attention_document(hubei):
    """attention_document("420102") → a stored document whose OCR failed (需处理)."""
    from ingest.models import Batch, Document

    def make(region_code="420102", name="broken.png"):
        batch = Batch.objects.create(source=Batch.Source.UPLOAD, agency=hubei[region_code])
        return Document.objects.create(
            batch=batch,
            original_name=name,
            sha256=hashlib.sha256(f"attention-{next(_serial)}".encode()).hexdigest(),
            size=10,
            media_type="image/png",
            status=Document.Status.ATTENTION,
            step="stored",
            error="TimeoutExpired: OCR 超时（180 秒）",
            attempts=1,
        )

    return make
