import io

import numpy as np
import pytest

from ingest.deskew import deskew, estimate_skew
from ingest.pdfscans import pdf_page_images
from ingest.scanprep import prepare
from tests.synthetic import make_households, render_form
from tests.synthetic.degrade import skew


@pytest.fixture(scope="module")
def pages():
    household = make_households(1, seed=4)[0]
    return {
        form: render_form(form, household, dpi=150).images[0] for form in ("plain", "home_visit")
    }


@pytest.mark.parametrize("form", ["plain", "home_visit"])
@pytest.mark.parametrize("angle", [-2.0, -0.8, 1.3])
def test_skew_is_found_on_text_and_ruled_forms(pages, form, angle):
    tilted = skew(pages[form], angle).convert("L")
    assert estimate_skew(np.asarray(tilted)) == pytest.approx(-angle, abs=0.1)


def test_straight_page_is_left_alone(pages):
    image, angle = deskew(pages["plain"])
    assert angle == 0.0 and image is pages["plain"]


def test_frames_keep_count_mode_and_resolution(pages):
    frames = [skew(pages["plain"], 1.0).convert("L"), pages["home_visit"].convert("1")]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], dpi=(150, 150))
    prepared = prepare(buf.getvalue(), "image/tiff")
    assert prepared.straightened and prepared.measures[0].corrected == pytest.approx(-1.0, abs=0.1)
    first, second = pdf_page_images(prepared.pdf)
    assert round(first.info["dpi"][0]) == 150 and first.mode == "L"
    assert second is not None
