"""A scanned page's own pixels for OCR (ingest.formocr.raster), and the renderer's fonts."""

from __future__ import annotations

import io
from types import SimpleNamespace

import img2pdf
import numpy as np
import pikepdf
import pytest
from ocrmypdf.helpers import Resolution
from PIL import Image

from ingest.formocr import plugin

DPI = Resolution(300, 300)
# What ingest.ocr asks of ocrmypdf for pages ingest.scanprep straightened.
STRAIGHTENED = SimpleNamespace(deskew=False, rotate_pages=False)


def _page(mode: str, fmt: str = "PNG", size=(2480, 3508)) -> tuple[bytes, Image.Image]:
    rng = np.random.default_rng(7)
    grey = Image.fromarray((rng.random((size[1], size[0])) * 255).astype(np.uint8))
    image = grey.convert(mode)
    buf = io.BytesIO()
    image.save(buf, format=fmt, dpi=(300, 300))
    return img2pdf.convert(buf.getvalue()), Image.open(io.BytesIO(buf.getvalue()))


def _rasterise(tmp_path, pdf: bytes, device: str, dpi=DPI):
    src, out = tmp_path / "in.pdf", tmp_path / "page.png"
    src.write_bytes(pdf)
    done = plugin.rasterize_pdf_page(
        src, out, device, dpi, 1, dpi, 0, False, False, STRAIGHTENED, False
    )
    return None if done is None else Image.open(out)


@pytest.mark.parametrize(
    ("mode", "device"), [("L", "pnggray"), ("1", "pngmono"), ("RGB", "png16m")]
)
def test_a_scan_page_is_its_own_pixels(tmp_path, mode, device):
    pdf, original = _page(mode)
    got = _rasterise(tmp_path, pdf, device)
    assert got is not None and got.mode == mode and got.size == original.size
    assert np.array_equal(np.asarray(got), np.asarray(original))
    assert got.info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_a_colour_jpeg_page_is_decoded(tmp_path):
    pdf, original = _page("RGB", "JPEG")
    got = _rasterise(tmp_path, pdf, "png16m")
    assert got is not None and got.mode == "RGB"
    assert np.array_equal(np.asarray(got), np.asarray(original.convert("RGB")))


def test_a_grey_scan_for_a_colour_device_is_converted_exactly(tmp_path):
    pdf, original = _page("L")
    got = _rasterise(tmp_path, pdf, "png16m")
    assert got.mode == "RGB" and np.array_equal(np.asarray(got)[..., 0], np.asarray(original))


def test_other_pages_are_left_to_the_renderer(tmp_path):
    pdf, _ = _page("L")
    # Another resolution than the image's: the renderer resamples it.
    assert _rasterise(tmp_path, pdf, "pnggray", Resolution(150, 150)) is None
    # A colour scan asked for in grey: not an exact conversion.
    colour, _ = _page("RGB")
    assert _rasterise(tmp_path, colour, "pnggray") is None
    # Anything drawn besides the image (here a line over it).
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        page.contents_add(doc.make_stream(b"0 0 m 100 100 l S"))
        buf = io.BytesIO()
        doc.save(buf)
    assert _rasterise(tmp_path, buf.getvalue(), "pnggray") is None
    # A page turned by /Rotate.
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.pages[0].obj.Rotate = 90
        buf = io.BytesIO()
        doc.save(buf)
    assert _rasterise(tmp_path, buf.getvalue(), "pnggray") is None
    # ocrmypdf asking for a turned page, or vector filtering.
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf)
    out = tmp_path / "x.png"
    assert (
        plugin.rasterize_pdf_page(
            src, out, "pnggray", DPI, 1, DPI, 90, False, False, STRAIGHTENED, False
        )
        is None
    )
    assert (
        plugin.rasterize_pdf_page(
            src, out, "pnggray", DPI, 1, DPI, 0, True, False, STRAIGHTENED, False
        )
        is None
    )
    assert not out.exists()


def test_pages_ocrmypdf_straightens_are_rendered(tmp_path):
    pdf, _ = _page("L")
    src, out = tmp_path / "in.pdf", tmp_path / "page.png"
    src.write_bytes(pdf)
    for options in (
        None,
        SimpleNamespace(deskew=True, rotate_pages=False),
        SimpleNamespace(deskew=False, rotate_pages=True),
    ):
        args = (src, out, "pnggray", DPI, 1, DPI, 0, False, False, options, False)
        assert plugin.rasterize_pdf_page(*args) is None
    assert not out.exists()


def test_the_renderers_fonts_are_found_once_per_process(monkeypatch):
    from pathlib import Path

    from ocrmypdf import data
    from ocrmypdf.font.multi_font_manager import MultiFontManager

    assert plugin.glyphless_text_layer()
    searched = []
    real = MultiFontManager.get_all_fonts

    def counting(self):
        searched.append(self)
        return real(self)

    monkeypatch.setattr(MultiFontManager, "get_all_fonts", counting)
    monkeypatch.setattr(plugin, "_found_fonts", {})
    folder = Path(data.__file__).parent
    first = MultiFontManager(folder).fonts
    assert "NotoSans-Regular" in first
    assert MultiFontManager(folder).fonts is first and len(searched) == 1


def test_a_line_with_spaces_is_set_in_the_cut_font(monkeypatch):
    monkeypatch.setattr(plugin, "_used", set("核对报告"))
    fallback = object()
    font = plugin._document_font(fallback, "核对 报告")
    assert font is not fallback
    # A character no page had still falls back to the whole font.
    assert plugin._document_font(fallback, "核对 表") is fallback
