"""Helpers for the document-camera tests: marked page images and reading a stored PDF back."""

from __future__ import annotations

import io

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from tests.broker import own_broker

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def marked_page(marker: str, size: tuple[int, int] = (900, 1200), lines=()) -> Image.Image:
    """A white A4-ish page with a large QR code carrying ``marker`` and some Chinese text.

    The marker is not one of our separator payloads (scanning.payload), so the pipeline
    never takes such a page for a separator sheet.
    """
    width, height = size
    page = Image.new("RGB", size, "white")
    barcode = zxingcpp.create_barcode(marker, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    qr = barcode.to_image(scale=1, add_quiet_zones=True)
    side = min(width, height) // 2
    qr = Image.fromarray(np.array(qr)).convert("RGB").resize((side, side), Image.NEAREST)
    page.paste(qr, ((width - side) // 2, height // 12))
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, max(16, width // 24))
    top = height // 12 + side + height // 20
    for row, line in enumerate(lines or [f"高拍仪采集测试页 {marker}"]):
        draw.text((width // 12, top + row * int(width / 16)), line, font=font, fill="black")
    return page


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def read_markers(images) -> list[str]:
    """The QR text of each image (a PIL image or encoded bytes); "" where none is found."""
    found = []
    for image in images:
        if isinstance(image, bytes):
            image = Image.open(io.BytesIO(image))
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        found.append(codes[0].text if codes else "")
    return found


def pdf_page_images(pdf: bytes) -> list[bytes]:
    """The one embedded image of each page, as stored (img2pdf embeds JPEG data unchanged)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        raw = []
        for page in document.pages:
            (image,) = page.get_images().values()
            raw.append(image.read_raw_bytes())
        return raw


def pdf_page_renders(pdf: bytes, scale: float = 1.0) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=scale).to_pil() for page in document]
    finally:
        document.close()


@pytest.fixture
def isolated_broker(tmp_path):
    """The folder enqueued tasks land in (tests/broker.py), or None on any other broker."""
    with own_broker(tmp_path) as folder:
        yield folder
