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
character's Unicode, so text extraction and search find the same words. Occulta itself maps
all 65,536 BMP code points, which fpdf2 reads and subsets whole (1–2 CPU s a document), so
the words are set in Occulta cut down to the characters of the document's pages
(:func:`_document_font`). ocrmypdf has no hook for the renderer's font choice, so
:func:`initialize` sets it when ocrmypdf loads us.

A page straightened before OCR is not rendered at all: :func:`rasterize_pdf_page` hands over
its own image stream as the rasterised page (ingest.formocr.raster). Other page images are
written as PNG twice on their way to us (ocrmypdf's rasterised page and its OCR image;
Tesseract gets the image in memory, ``tessapi``); they are temporary files,
so in this process PNGs are written with zlib level 1 (0.12 s instead of 0.25 s for an A4
page at 300 dpi, for files about a fifth larger): :func:`fast_png`. (Scans inside PDFs, which
ocrmypdf straightens itself, keep its straightened PNG as the visible page: their access
copies are that much larger.)

ingest.ocr forks ocrmypdf's process from the worker after :func:`warm` has loaded the models
there, so a document's run starts with Tesseract's and PP-OCR's models in memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine
from ocrmypdf.hocrtransform import BoundingBox, OcrClass, OcrElement
from PIL import Image

from ingest.formocr.raster import page_png
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
        _used.update(c for line in result.lines for w in line.words for c in w.text)
        out = os.environ.get(OUT_DIR)
        if out:
            path = Path(out, f"{page_number + 1:06d}.json")
            path.write_text(
                json.dumps(result.as_json(), ensure_ascii=False, default=int), encoding="utf-8"
            )
        return page_tree(result, page_number), result.text


# The characters of the pages this process has read; the text layer's font covers them.
_used: set[str] = set()
_fonts: dict[frozenset, object] = {}


@cache
def _occulta():
    """ocrmypdf's glyphless font, loaded (fontTools) with its cmap decoded."""
    from fontTools.ttLib import TTFont
    from ocrmypdf.data import __file__ as data

    font = TTFont(Path(data).with_name("Occulta.ttf"))
    font["cmap"].tables  # noqa: B018 (decoded now: in the worker, before it forks)
    return font


@cache
def _occulta_cmap() -> dict[int, str]:
    """Occulta's whole cmap (65,536 entries), read once in the worker before it forks, not
    in every document's process; taken before any cut of the tables."""
    return _occulta().getBestCmap()


@cache
def _used_codepoints(count: int) -> frozenset[int]:
    # Keyed by the size of ``_used``: it only grows, so the size tells when it changed. The
    # space is always in: the renderer measures whole lines (words joined by spaces), and a
    # line it could not set in the cut font got the whole of Occulta (0.1 CPU s to load).
    return frozenset(ord(c) for c in _used) | {ord(" ")}


def _document_font(fallback, text: str):
    """Occulta cut down to the characters on this document's pages.

    Occulta maps all 65,536 BMP code points to its blank glyphs, and fpdf2 keeps every code
    point of a glyph it uses: reading the font and subsetting it cost 1–2 CPU s per document
    (``calcCodePageRanges`` over the whole cmap, docs/benchmarks.md "Ingest") to draw nothing.
    The same glyphs for only the characters used give the same text layer. A word with a
    character not on the pages read (none, unless ocrmypdf adds text) gets Occulta itself."""
    from ocrmypdf.font.font_manager import FontManager

    chars = _used_codepoints(len(_used))
    if not all(ord(c) in chars for c in text):
        return fallback
    if chars not in _fonts:
        full = _occulta_cmap()
        font = _occulta()
        cmap = {cp: full[cp] for cp in chars if cp in full}
        for table in font["cmap"].tables:
            table.cmap = dict(cmap)
        path = Path(tempfile.mkdtemp(), "OccultaDoc.ttf")
        font.save(path)
        _fonts[chars] = FontManager(path)
    return _fonts[chars]


def glyphless_text_layer() -> bool:
    """Make ocrmypdf's fpdf2 renderer set every word in a glyphless font."""
    try:
        from ocrmypdf.font.multi_font_manager import MultiFontManager
    except ImportError:  # another ocrmypdf: keep its fonts, only slower
        return False

    def glyphless(self, word_text: str, line_language: str | None):
        return _document_font(self.font_provider.get_fallback_font(), word_text)

    MultiFontManager.select_font_for_word = glyphless
    MultiFontManager.fonts = property(_fonts_found_once)
    return True


# The fonts ocrmypdf's renderer finds on this host, by the renderer's font folder.
_found_fonts: dict[str, dict] = {}


def _fonts_found_once(manager) -> dict:
    """ocrmypdf's renderer asks for every font it can find (searching the system's font
    folders for 26 names) once for each line of text, only to read NotoSans' metrics: 365
    searches, 0.37 CPU s for the 6 documents of bench/ingest. Found once per process and font
    folder here (the worker finds them before it forks, :func:`warm`); the fonts installed
    cannot change under a running worker (an upgrade restarts it)."""
    provider = manager.font_provider
    providers = getattr(provider, "providers", [provider])
    key = "|".join(f"{type(p).__name__}:{getattr(p, 'font_dir', '')}" for p in providers)
    if key not in _found_fonts:
        _found_fonts[key] = manager.get_all_fonts()
    return _found_fonts[key]


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


# The programs ocrmypdf asks for their version or languages on every run (7 processes a
# document: tesseract --version four times, gs --version twice, tesseract --list-langs).
_PROBES = ("--version", "--list-langs")


def cache_probes() -> bool:
    """Answer ocrmypdf's version and language probes of its helper programs once per worker
    process instead of starting them again for every document. The programs cannot change
    under a running worker (an upgrade restarts it). Nothing else ocrmypdf runs is cached."""
    try:
        from ocrmypdf.subprocess import _run
    except ImportError:  # another ocrmypdf: it probes as it always did
        return False
    original = _run.subprocess_run
    if getattr(original, "hedang_cached", False):
        return True
    answers: dict[tuple, object] = {}

    def run(args, *rest, **kwargs):
        if rest or not isinstance(args, list | tuple) or len(args) != 2 or args[1] not in _PROBES:
            return original(args, *rest, **kwargs)
        env = kwargs.get("env") or os.environ
        key = (*map(str, args), env.get("TESSDATA_PREFIX"), bool(kwargs.get("text")))
        if key not in answers:
            answers[key] = original(args, *rest, **kwargs)
        return answers[key]

    run.hedang_cached = True
    _run.subprocess_run = run
    return True


def _probe_now() -> None:
    # The answers the forked children of the worker will ask for, asked here once.
    from ocrmypdf._exec import ghostscript, tesseract

    with contextlib.suppress(Exception):
        tesseract.version()
        tesseract.get_languages()
        ghostscript.version()


def warm() -> None:
    """Load what every page needs (Tesseract's model, PP-OCR's recogniser) in this process:
    ingest.ocr calls it in the worker before it forks ocrmypdf's process for a document."""
    from ingest.formocr import cellread, tessapi
    from ingest.formocr.recognise import LANG

    tessapi.warm(LANG)
    cellread.available()
    _occulta_cmap()
    if glyphless_text_layer():
        from ocrmypdf import data
        from ocrmypdf.font.multi_font_manager import MultiFontManager

        # The folder ocrmypdf's renderer gives its font manager (ocrmypdf._graft).
        MultiFontManager(Path(data.__file__).parent).fonts  # noqa: B018 (found now)
    if cache_probes():
        _probe_now()


@hookimpl
def initialize(plugin_manager) -> None:
    # Called in ocrmypdf's own process only (ingest.ocr forks or starts it for each document).
    glyphless_text_layer()
    fast_png()
    cache_probes()
    # OpenCV's thread count is set by the process that starts or forks this one
    # (ingest.ocr.one_thread, OPENCV_FOR_THREADS_NUM): changing it here, in a child forked
    # from a process whose OpenCV threads had started, waits for threads the child has not.


@hookimpl
def get_ocr_engine(options):
    return TableOcrEngine()


@hookimpl
def rasterize_pdf_page(
    input_file: Path,
    output_file: Path,
    raster_device: str,
    raster_dpi,
    pageno: int,
    page_dpi,
    rotation: int | None,
    filter_vector: bool,
    stop_on_soft_error: bool,
    options,
    use_cropbox: bool,
) -> Path | None:
    """A scanned page's own pixels (ingest.formocr.raster); None lets ocrmypdf render it.

    Only for pages straightened before OCR (ingest.scanprep): when ocrmypdf deskews or turns
    the page itself, its angle is found on the rasterised page, and on the sharper original
    it came out different enough to split a paragraph's lines on a bench/ocr page (0.99 ->
    0.67 of its characters), so those pages are rendered as before."""
    if rotation or filter_vector or use_cropbox:
        return None
    if (
        options is None
        or getattr(options, "deskew", True)
        or getattr(options, "rotate_pages", True)
    ):
        return None
    dpi = page_dpi or raster_dpi
    png = page_png(input_file, pageno, (raster_dpi.x, raster_dpi.y), raster_device, (dpi.x, dpi.y))
    if png is None:
        return None
    Path(output_file).write_bytes(png)
    return output_file
