"""Fixtures for the page-image export: real JPEG scans and items filed from them."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from tests.ingest.conftest import scan_page


def jpeg_scan(number: int, dpi: int = 100) -> bytes:
    """A small JPEG page scan (grey, some lines of ink), as a sheet-feeding scanner writes it."""
    return scan_page([f"第 {number} 页", "居民家庭经济状况入户核查表"], dpi=dpi, fmt="JPEG")


def colour_photo_scan(size=(827, 1169)) -> Image.Image:
    image = Image.new("RGB", size, (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 500, 140), fill=(200, 20, 20))  # a red header
    draw.ellipse((500, 800, 760, 1060), outline=(220, 0, 0), width=12)  # a seal
    return image


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


@pytest.fixture
def filed_with(make_household, make_item):
    """filed_with(original_bytes, media_type) → a filed 入户核查表 whose original is that file."""
    from archive.filing import file_item
    from archive.models import File
    from archive.storage import store_bytes

    household = make_household("420102", "张伟")

    def make(data: bytes, media_type: str, *, household=household):
        item = make_item(household, "RHB", file=False)
        blob = store_bytes(data)
        File.objects.create(
            item=item,
            role=File.Role.ORIGINAL,
            sha256=blob.sha256,
            size=blob.size,
            media_type=media_type,
            original_name="scan",
        )
        return file_item(item)

    return make
