"""ocrmypdf plugin: table-aware OCR as ocrmypdf's OCR engine.

    python -m ocrmypdf --plugin ingest.formocr.plugin --pdf-renderer fpdf2 ...

ocrmypdf still does everything around the OCR (deskew, page rotation by Tesseract's OSD, the
page image, PDF/A, the sidecar text); only the recognition of each (deskewed) page image is
ours. The engine returns its lines and words as an ``OcrElement`` tree, which ocrmypdf's
fpdf2 renderer places as an invisible text layer on the page. When ``HEDANG_FORMOCR_DIR`` is
set, the cell structure of page *n* is written there as ``{n:06d}.json`` for the caller.

The text layer is invisible, so its words are set in ocrmypdf's own glyphless font (Occulta)
rather than in the system's Noto CJK fonts: fpdf2 subsets and compiles a CJK font for every
document (about 0.7 s a page here) only to draw nothing; the glyphless font keeps each
character's Unicode, so text extraction and search find the same words. ocrmypdf has no
hook for the renderer's font choice, so :func:`initialize` sets it when ocrmypdf loads us.

Every page image is written as PNG three or four times on its way to Tesseract (ocrmypdf's
rasterised page, its OCR image, and what pytesseract hands to each Tesseract call); they are
temporary files, so in this process PNGs are written with zlib level 1 (0.12 s instead of
0.25 s for an A4 page at 300 dpi, for files about a fifth larger): :func:`fast_png`. (Scans
inside PDFs, which ocrmypdf straightens itself, keep its straightened PNG as the visible page:
their access copies are that much larger.)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine
from ocrmypdf.hocrtransform import BoundingBox, OcrClass, OcrElement
from PIL import Image

from ingest.formocr.recognise import PageResult, recognise

OUT_DIR = "HEDANG_FORMOCR_DIR"


def _box(box) -> BoundingBox:
    return BoundingBox(left=box[0], top=box[1], right=box[2], bottom=box[3])


def page_tree(result: PageResult, page_number: int) -> OcrElement:
    page = OcrElement(
        ocr_class=OcrClass.PAGE,
        bbox=BoundingBox(left=0, top=0, right=result.width, bottom=result.height),
        dpi=result.dpi,
        page_number=page_number,
    )
    for line in result.lines:
        words = [
            OcrElement(ocr_class=OcrClass.WORD, bbox=_box(w.box), text=w.text, language="chi_sim")
            for w in line.words
        ]
        if not words:
            continue
        box = (
            min(w.box[0] for w in line.words),
            min(w.box[1] for w in line.words),
            max(w.box[2] for w in line.words),
            max(w.box[3] for w in line.words),
        )
        line_element = OcrElement(ocr_class=OcrClass.LINE, bbox=_box(box), children=words)
        par = OcrElement(ocr_class=OcrClass.PARAGRAPH, bbox=_box(box), children=[line_element])
        page.children.append(par)
    return page


class TableOcrEngine(TesseractOcrEngine):
    """Tesseract for orientation and deskew; table-aware recognition for the text."""

    def __str__(self) -> str:
        return f"Hedang table OCR ({super().__str__()})"

    @staticmethod
    def creator_tag(options) -> str:
        return f"Hedang table OCR; {TesseractOcrEngine.creator_tag(options)}"

    @staticmethod
    def supports_generate_ocr() -> bool:
        return True

    @staticmethod
    def generate_ocr(input_file: Path, options, page_number: int = 0):
        with Image.open(input_file) as img:
            dpi = float(img.info.get("dpi", (300, 300))[0]) or 300.0
            grey = np.asarray(img.convert("L"))
        result = recognise(grey, dpi)
        out = os.environ.get(OUT_DIR)
        if out:
            path = Path(out, f"{page_number + 1:06d}.json")
            path.write_text(
                json.dumps(result.as_json(), ensure_ascii=False, default=int), encoding="utf-8"
            )
        return page_tree(result, page_number), result.text


def glyphless_text_layer() -> bool:
    """Make ocrmypdf's fpdf2 renderer set every word in its glyphless fallback font."""
    try:
        from ocrmypdf.font.multi_font_manager import MultiFontManager
    except ImportError:  # another ocrmypdf: keep its fonts, only slower
        return False

    def glyphless(self, word_text: str, line_language: str | None):
        return self.font_provider.get_fallback_font()

    MultiFontManager.select_font_for_word = glyphless
    return True


def fast_png(level: int = 1) -> None:
    """PNGs written by this process default to zlib ``level`` (they are temporary files)."""
    from PIL import PngImagePlugin  # noqa: F401  (registers PNG: PIL loads formats lazily)

    original = Image.SAVE["PNG"]
    if getattr(original, "hedang_fast", False):
        return

    def save(im, fp, filename, *args, **kwargs):
        im.encoderinfo.setdefault("compress_level", level)
        return original(im, fp, filename, *args, **kwargs)

    save.hedang_fast = True
    Image.register_save("PNG", save)


@hookimpl
def initialize(plugin_manager) -> None:
    # Called in ocrmypdf's own process only (ingest.ocr starts it for each document).
    glyphless_text_layer()
    fast_png()


@hookimpl
def get_ocr_engine(options):
    return TableOcrEngine()
