"""ingest.stacks: page images joined into one PDF, their JPEG bytes untouched."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image

from ingest import sniff
from ingest.stacks import join_page_images


def _jpeg(size: tuple[int, int], dpi: int | None = None) -> bytes:
    buf = io.BytesIO()
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    Image.new("RGB", size, "white").save(buf, "JPEG", **extra)
    return buf.getvalue()


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [(float(p.MediaBox[2]), float(p.MediaBox[3])) for p in doc.pages]


def test_pages_keep_the_scanners_resolution_and_the_jpeg_bytes():
    page = _jpeg((2480, 3508), dpi=300)
    pdf = join_page_images([page, _jpeg((1240, 1754), dpi=150)])
    assert _pages(pdf) == [pytest.approx((595.2, 841.92), abs=0.5)] * 2
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        image = next(iter(doc.pages[0].get_images().values()))
        assert image.read_raw_bytes() == page


def test_camera_frames_are_laid_out_as_a4_along_their_long_side():
    # A 3264×2448 capture without a resolution: img2pdf alone would make a 34-inch page.
    frame = _jpeg((2448, 3264))
    assert _pages(join_page_images([frame]))[0][1] == pytest.approx(2448.0)
    width, height = _pages(join_page_images([frame], a4_frames=True))[0]
    assert height == pytest.approx(841.89, abs=0.1)  # 297 mm
    assert width == pytest.approx(2448 / 3264 * 841.89, abs=0.1)


def test_anything_but_images_is_refused_by_name():
    with pytest.raises(sniff.Rejected, match="b.pdf"):
        join_page_images([_jpeg((100, 100)), b"%PDF-1.7 ..."], ["a.jpg", "b.pdf"])
    with pytest.raises(sniff.Rejected, match="没有图像"):
        join_page_images([])


def test_an_a4_image_too_small_for_200_dpi_is_refused_before_joining():
    # Alone it is refused at the door (ingest.quality); joined by img2pdf it would be an exact
    # A4 page at 72 dpi, a program's default, and slip past that rule.
    good = _jpeg((2480, 3508), dpi=300)
    with pytest.raises(sniff.Rejected, match=r"^p2\.jpg：第 2 页分辨率低于 200 dpi：595×842"):
        join_page_images([good, _jpeg((595, 842), dpi=72)], ["p1.jpg", "p2.jpg"])
    assert _pages(join_page_images([good, _jpeg((1654, 2339), dpi=72)]))  # enough pixels
