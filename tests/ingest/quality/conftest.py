"""Real scans for the ingest quality tests: synthetic forms rendered at 300 dpi, degraded as a
scanner degrades them, and blank backs with the scanner's noise."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.synthetic import make_households, render_form
from tests.synthetic.degrade import degrade


@pytest.fixture(scope="session")
def form_pages():
    return render_form("report", make_households(1, seed=7)[0], dpi=300).images


@pytest.fixture(scope="session")
def blank_back(form_pages):
    page = Image.new("L", form_pages[0].size, 255)
    page.info["dpi"] = (300, 300)
    return degrade(page, "scan", seed=2)


def tiff(*frames: Image.Image, dpi: int = 300) -> bytes:
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=list(frames[1:]), dpi=(dpi, dpi))
    return buf.getvalue()


def jpeg(image: Image.Image, dpi: int | None = 300) -> bytes:
    buf = io.BytesIO()
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    image.convert("L" if image.mode != "RGB" else "RGB").save(buf, "JPEG", quality=85, **extra)
    return buf.getvalue()
