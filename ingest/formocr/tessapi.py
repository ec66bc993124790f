"""Tesseract through its library (tesserocr), one loaded engine per process and language.

pytesseract starts a ``tesseract`` process for every call: the page is written as a PNG,
the process loads the traineddata, writes TSV to a file that is read back. The table engine
calls Tesseract twice per page, so that cost twice per page (about 0.25 s of PNG encoding
and 0.3–0.5 s of process start and model loading on a 300-dpi A4 page, measured in
docs/benchmarks.md). Here the engine is loaded once per process and each image is handed over
as the raw greyscale buffer. It is the same libtesseract (Debian's 5.3.0, tesserocr is built
against it), the same page segmentation mode, resolution and TSV: the words and boxes are
those the command line gives (``tests/ingest/test_ocr_engine.py`` compares them).

Without tesserocr installed, pytesseract is used as before.
"""

from __future__ import annotations

import os
import threading
from functools import cache

import numpy as np

# Tesseract's OpenMP must stay single-threaded (one process per core); libgomp reads this
# when it is loaded, so before tesserocr is imported.
os.environ["OMP_THREAD_LIMIT"] = "1"

_FIELDS = (
    "level",
    "page_num",
    "block_num",
    "par_num",
    "line_num",
    "word_num",
    "left",
    "top",
    "width",
    "height",
    "conf",
    "text",
)
_lock = threading.Lock()


@cache
def _api(lang: str):
    try:
        import tesserocr
    except ImportError:
        return None
    return tesserocr.PyTessBaseAPI(lang=lang)


def available(lang: str) -> bool:
    return _api(lang) is not None


def warm(lang: str) -> None:
    """Load the engine now (before a fork, so children share the loaded model)."""
    _api(lang)


def image_to_data(image: np.ndarray, psm: int, dpi: float, lang: str) -> dict[str, list]:
    """Tesseract's words as pytesseract's ``image_to_data(..., output_type=DICT)`` gives them
    (same keys and ints, confidences truncated, -1 for non-word rows)."""
    api = _api(lang)
    if api is None:
        return _pytesseract(image, psm, dpi, lang)
    grey = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = grey.shape
    with _lock:
        api.SetPageSegMode(psm)
        api.SetVariable("user_defined_dpi", str(round(dpi)))
        api.SetImageBytes(grey.tobytes(), width, height, 1, width)
        api.SetSourceResolution(round(dpi))
        api.Recognize()
        tsv = api.GetTSVText(0)
        api.Clear()
    return parse_tsv(tsv)


def parse_tsv(tsv: str) -> dict[str, list]:
    data: dict[str, list] = {key: [] for key in _FIELDS}
    for row in tsv.splitlines():
        values = row.split("\t")
        if len(values) < len(_FIELDS) - 1:
            continue
        values += [""] * (len(_FIELDS) - len(values))
        for key, value in zip(_FIELDS[:10], values[:10], strict=True):
            data[key].append(int(value))
        # Whole numbers, as pytesseract gives them (its LOW_CONF comparisons stay the same).
        data["conf"].append(int(float(values[10])))
        data["text"].append(values[11])
    return data


def _pytesseract(image: np.ndarray, psm: int, dpi: float, lang: str) -> dict[str, list]:
    import pytesseract

    config = f"--psm {psm} --dpi {round(dpi)}"
    return pytesseract.image_to_data(
        image, lang=lang, config=config, output_type=pytesseract.Output.DICT
    )
