"""Pages fed sideways or upside down are turned upright before OCR by our own page analysis
(ingest.deskew.orientation), so ocrmypdf runs no orientation pass of its own; and the table
engine's invisible text layer is set in the glyphless font yet still extracts as text."""

import io

import numpy as np
import pikepdf
import pytest
from PIL import Image

from ingest import deskew
from ingest.deskew import TURNS, grey_of, thumbnail, title_side, upright
from ingest.pdfscans import pdf_page_images
from ingest.scanprep import prepare
from tests.synthetic import make_households, render_form

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page():
    household = make_households(1, seed=4)[0]
    image = render_form("authorization", household, dpi=200).images[0].convert("L")
    image.info["dpi"] = (200, 200)
    return image


def turned(image: Image.Image, turn: int) -> Image.Image:
    out = image.transpose(TURNS[turn])
    out.info["dpi"] = image.info["dpi"]
    return out


def same_page(a: Image.Image, b: Image.Image) -> bool:
    if a.size != b.size:
        return False
    diff = np.abs(np.asarray(a.convert("L"), np.int16) - np.asarray(b.convert("L"), np.int16))
    return float(diff.mean()) < 1.0


def test_an_upright_page_is_left_alone_without_asking_tesseract(page, monkeypatch):
    def no_tesseract(*args, **kwargs):
        raise AssertionError("an upright page with its title on top needs no OSD pass")

    monkeypatch.setattr(deskew, "osd_turn", no_tesseract)
    image, turn = upright(page)
    assert turn == 0 and image is page


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_turned_page_is_turned_upright(page, turn):
    image, applied = upright(turned(page, turn))
    assert (turn + applied) % 360 == 0
    assert same_page(image, page)


def test_the_title_says_which_side_is_up(page):
    small = thumbnail(grey_of(page), deskew.ORIENT_SIZE)
    assert title_side(small) == "top"
    assert title_side(np.rot90(small, 2)) == "bottom"


def test_a_blank_page_is_not_turned():
    blank = Image.new("L", (1654, 2339), 255)
    blank.info["dpi"] = (200, 200)
    assert upright(blank) == (blank, 0)


def test_an_upside_down_scan_reaches_ocr_upright(page):
    buf = io.BytesIO()
    turned(page, 180).save(buf, format="TIFF", dpi=(200, 200))
    prepared = prepare(buf.getvalue(), "image/tiff")
    (image,) = pdf_page_images(prepared.pdf)
    assert same_page(image, page)


def test_the_table_text_layer_is_glyphless_and_extracts(page, settings, tmp_path):
    from ingest.ocr import OcrSettings, run_ocr
    from ingest.sniff import pdf_page_texts

    settings.DATA_DIR = tmp_path
    buf = io.BytesIO()
    page.save(buf, format="PNG", dpi=(200, 200))
    pdf = prepare(buf.getvalue(), "image/png").pdf
    output = run_ocr(pdf, has_text=False, deskew=False, settings=OcrSettings(tables=True))
    assert output.pages and output.pages[0] is not None  # the table engine ran
    with pikepdf.open(io.BytesIO(output.pdf)) as document:
        fonts = {
            str(obj.get("/BaseFont", ""))
            for obj in document.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
        }
    # Type0 fonts name their descendant; both carry the glyphless font's name.
    assert fonts and all("Occulta" in f for f in fonts), fonts
    extracted = "".join(pdf_page_texts(output.pdf)[0].split())
    words = [w for w in "".join(output.page_texts[0].split()).split("，") if len(w) >= 4]
    assert "授权书" in extracted
    assert words and sum(w[:4] in extracted for w in words) >= len(words) * 0.8
