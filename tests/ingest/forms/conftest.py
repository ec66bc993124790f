from __future__ import annotations

import json
import os

import numpy as np
import pytest

from tests.synthetic import make_households, render_form
from tests.synthetic.degrade import degrade
from tests.synthetic.ocr import have_tesseract

os.environ["OMP_THREAD_LIMIT"] = "1"
needs_tesseract = pytest.mark.skipif(not have_tesseract("chi_sim"), reason="no chi_sim Tesseract")


@pytest.fixture(scope="session")
def households():
    return make_households(4, seed=2024)


def read_form(form: str, households, preset: str, seed: int = 0):
    """Render ``form``, degrade every page with ``preset``, recognise and extract."""
    from ingest.formocr.extract import extract_document
    from ingest.formocr.recognise import recognise

    rendered = render_form(form, households[:3] if form == "commission" else households[0])
    pages = []
    for n, img in enumerate(rendered.images):
        scan = degrade(img, preset, seed=seed + n)
        dpi = scan.info.get("dpi", (300, 300))[0]
        result = recognise(np.asarray(scan.convert("L")), dpi)
        pages.append(json.loads(json.dumps(result.as_json(), default=int)))
    return rendered, pages, extract_document(pages)
