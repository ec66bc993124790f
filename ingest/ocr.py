"""Normalise to PDF, then OCR with ocrmypdf (scans are checked and straightened before, in
ingest.scanprep).

ocrmypdf runs in a child process: a page that hangs or a worker that is killed cannot leave
the worker's own process in a bad state, and the time limit is enforced from outside. The
child is forked from the worker (:func:`_run_forked`) rather than started afresh: the worker
has imported ocrmypdf and loaded the table engine's models (Tesseract's ``chi_sim``, PP-OCR's
recogniser) once, and every child starts with them (0.5–0.9 CPU s of start-up and 0.5 s of
model loading per document otherwise, docs/benchmarks.md "Ingest"). Where fork is not
available (or ``HEDANG_OCR_FORK=0``) ocrmypdf is started as ``python -m ocrmypdf``.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib
import io
import os
import select
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import img2pdf
import numpy as np
from PIL import Image

from ingest.ocrtemp import ocr_tempdir
from ingest.sniff import IMAGE_TYPES, PDF, pdf_page_texts

SKIPPED_MARK = "[OCR skipped on page"


class OcrFailed(RuntimeError):
    """ocrmypdf did not produce a usable result; the message says why."""


@dataclass(frozen=True)
class OcrSettings:
    language: str = "chi_sim+eng"
    page_timeout: int = 180
    max_image_mpixels: int = 250
    jobs: int = 1
    # "sandwich" lets Tesseract draw the text layer itself; fpdf2 ("auto") re-lays it out from
    # hOCR and costs 2–4 s more per page here. Page texts come from the sidecar either way.
    renderer: str = "sandwich"
    # Table-aware OCR (ingest.formocr) as ocrmypdf's engine: HEDANG_OCR_TABLES.
    tables: bool = False


@dataclass(frozen=True)
class OcrOutput:
    pdf: bytes
    page_texts: tuple[str, ...]
    ocr_pages: tuple[int, ...]  # 1-based numbers of the pages that went through Tesseract
    scanned: bool
    # Table-aware OCR only: per page, its cells and lines (ingest.formocr), or None.
    pages: tuple[dict | None, ...] = ()


def to_pdf(data: bytes, media_type: str) -> bytes:
    """Images become a PDF page each at their own resolution; PDFs pass unchanged. (Ingest
    straightens scans before this, in ingest.scanprep.)"""
    if media_type == PDF:
        return data
    if media_type not in IMAGE_TYPES:
        raise ValueError(f"无法转换为 PDF：{media_type}")
    try:
        return img2pdf.convert(data, rotation=img2pdf.Rotation.ifvalid)
    except (img2pdf.ImageOpenError, img2pdf.AlphaChannelError, ValueError):
        # img2pdf refuses alpha channels and some palettes; flatten those frames to RGB.
        return img2pdf.convert(*_flattened_frames(data), rotation=img2pdf.Rotation.ifvalid)


def _flattened_frames(data: bytes) -> list[bytes]:
    frames = []
    with Image.open(io.BytesIO(data)) as img:
        dpi = img.info.get("dpi", (300, 300))
        for index in range(getattr(img, "n_frames", 1)):
            img.seek(index)
            frame = img.convert("RGB")
            buf = io.BytesIO()
            frame.save(buf, format="PNG", dpi=dpi)
            frames.append(buf.getvalue())
    return frames


def run_ocr(
    pdf: bytes, *, has_text: bool, deskew: bool = True, settings: OcrSettings = OcrSettings()
) -> OcrOutput:
    """OCR every page without text; pages that already carry text are kept as they are.

    ``deskew=False`` when the pages were straightened already (ingest.scanprep).
    """
    existing = pdf_page_texts(pdf)
    if has_text and all(t.strip() for t in existing):
        return OcrOutput(pdf, tuple(existing), (), scanned=False)
    with ocr_tempdir() as tmp:
        src, out, sidecar = Path(tmp, "in.pdf"), Path(tmp, "out.pdf"), Path(tmp, "text.txt")
        src.write_bytes(pdf)
        command = [
            sys.executable,
            "-m",
            "ocrmypdf",
            "-l",
            settings.language,
            "--jobs",
            str(settings.jobs),
            "--tesseract-timeout",
            str(settings.page_timeout),
            "--max-image-mpixels",
            str(settings.max_image_mpixels),
            "--sidecar",
            str(sidecar),
            "--pdf-renderer",
            settings.renderer,
            # ocrmypdf's per-document work beyond OCR, measured (docs/benchmarks.md): pdfium
            # rasterises the page for OCR faster than Ghostscript; no lossless re-optimising
            # of the page images (a scanner's JPEG or PNG stays as it is, --optimize 0) and
            # no linearising for web view (the access copy is downloaded whole).
            "--rasterizer",
            "pypdfium",
            "--optimize",
            "0",
            "--fast-web-view",
            "999999",
            "--quiet",
        ]
        if has_text:
            # Debian 12's Ghostscript 10.0.0 corrupts existing text layers: never let a PDF
            # with text go through a PDF/A conversion.
            command += ["--mode", "skip", "--output-type", "pdf"]
        else:
            command += ["--output-type", "pdfa"]
            # Pages straightened in ingest.scanprep were turned upright there too; the others
            # (scans inside PDFs) get ocrmypdf's deskew and Tesseract's orientation pass.
            command += ["--deskew", "--rotate-pages"] if deskew else []
        # ocrmypdf's own temporary files inside ours, so a sweep finds them (ingest/ocrtemp.py).
        env = {**os.environ, "OMP_THREAD_LIMIT": "1", "OPENCV_FOR_THREADS_NUM": "1", "TMPDIR": tmp}
        if settings.tables:
            command, env = _table_command(command, env, Path(tmp, "pages"))
        command += [str(src), str(out)]
        timeout = settings.page_timeout * max(1, len(existing)) + 120
        if forking():
            warm(settings.tables)
            returncode, stderr = _run_forked(command[3:], env, Path(tmp, "stderr.txt"), timeout)
        else:
            returncode, stderr = _run_subprocess(command, env, timeout)
        if returncode != 0 or not out.exists():
            raise OcrFailed(f"OCR 失败（退出码 {returncode}）：{_tail(stderr)}")
        output = out.read_bytes()
        sidecar_pages = sidecar.read_text(encoding="utf-8").split("\f") if sidecar.exists() else []
        structures = _page_structures(Path(tmp, "pages"), len(existing)) if settings.tables else ()
    texts, ocr_pages = [], []
    for number, old in enumerate(existing, start=1):
        side = sidecar_pages[number - 1] if number <= len(sidecar_pages) else ""
        if old.strip() or side.lstrip().startswith(SKIPPED_MARK):
            texts.append(old)
        else:
            texts.append(side)
            ocr_pages.append(number)
    return OcrOutput(output, tuple(texts), tuple(ocr_pages), not has_text, structures)


def forking() -> bool:
    return hasattr(os, "pidfd_open") and os.environ.get("HEDANG_OCR_FORK", "1") != "0"


def _run_subprocess(command: list[str], env: dict, timeout: float) -> tuple[int, str]:
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrFailed(f"OCR 超时（{round(timeout)} 秒）") from exc
    return result.returncode, result.stderr


def _run_forked(args: list[str], env: dict, log: Path, timeout: float) -> tuple[int, str]:
    """``ocrmypdf args`` in a forked child of this process, killed after ``timeout`` seconds
    (or when this process dies); its exit code and what it wrote to stderr."""
    pid = os.fork()
    if pid == 0:  # the child never returns from here
        _ocrmypdf_child(args, env, log)
    try:
        pidfd = os.pidfd_open(pid)
        try:
            ready, _, _ = select.select([pidfd], [], [], timeout)
        finally:
            os.close(pidfd)
        if not ready:
            raise OcrFailed(f"OCR 超时（{round(timeout)} 秒）")
        _, status = os.waitpid(pid, 0)
        pid = 0
    finally:
        if pid:  # timed out, or this process was interrupted while waiting
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    stderr = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return os.waitstatus_to_exitcode(status), stderr


def _ocrmypdf_child(args: list[str], env: dict, log: Path) -> None:
    code = 70
    try:
        _die_with_parent()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(signum, signal.SIG_DFL)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        # A Celery worker's sys.stdout/stderr are logging proxies: give ocrmypdf real files.
        sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        os.environ.clear()
        os.environ.update(env)
        tempfile.tempdir = None  # ocrmypdf's temporary files in TMPDIR (ours)
        from ocrmypdf.__main__ import run

        code = int(run(args) or 0)
    except BaseException:  # noqa: BLE001 (reported through the exit code and stderr)
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        # No Python clean-up in the child: the worker's database connection, Celery's pool
        # and atexit handlers belong to the parent.
        os._exit(code)


def _die_with_parent() -> None:
    """SIGKILL this (forked) process when its parent dies (Linux prctl PR_SET_PDEATHSIG)."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the call
        os._exit(70)


# What an ocrmypdf run imports (listed from sys.modules after one run): 1.4 CPU s in every
# child otherwise.
_OCRMYPDF_MODULES = (
    "ocrmypdf.__main__",
    "ocrmypdf._pipelines.ocr",
    "ocrmypdf._validation_coordinator",
    "ocrmypdf.font",
    "ocrmypdf.fpdf_renderer",
    "ocrmypdf.optimize",
    "ocrmypdf.builtin_plugins.concurrency",
    "ocrmypdf.builtin_plugins.default_filters",
    "ocrmypdf.builtin_plugins.ghostscript",
    "ocrmypdf.builtin_plugins.null_ocr",
    "ocrmypdf.builtin_plugins.optimize",
    "ocrmypdf.builtin_plugins.pypdfium",
    "ocrmypdf.builtin_plugins.tesseract_ocr",
    "fontTools.ttLib.tables.O_S_2f_2",
    "fontTools.ttLib.tables._h_h_e_a",
    "fontTools.ttLib.tables._l_o_c_a",
    "encodings.mac_roman",
    "encodings.utf_16_be",
    "encodings.utf_32_be",
    "pikepdf.pdfa",
    "pypdfium2",
    "fpdf",
    "fontTools.subset",
    "uharfbuzz",
    "lxml.etree",
    "jsonschema",
    "PIL.PngImagePlugin",
    "PIL.JpegImagePlugin",
    "PIL.BmpImagePlugin",
    "PIL.PpmImagePlugin",
)
_warmed: set[bool] = set()


def one_thread() -> None:
    """OpenCV on one thread in this process (and the children it forks), as Tesseract
    (``OMP_THREAD_LIMIT=1``) and PP-OCR are: a worker runs one process per core, and OpenCV's
    own thread pool on top of that spent about 40 % more CPU on the same page analysis
    (docs/benchmarks.md "Ingest")."""
    import cv2

    cv2.setNumThreads(1)


def warm(tables: bool) -> None:
    """Import ocrmypdf, and for table OCR its plugin with its models loaded, in this process
    (once), so that every forked child has them. A worker calls it when its process starts
    (ingest.tasks); otherwise the first document pays for it."""
    if tables in _warmed or not forking():
        return
    _warmed.add(tables)
    one_thread()
    for name in _OCRMYPDF_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    if tables:
        from ingest.formocr import plugin

        plugin.warm()


def _table_command(command: list[str], env: dict, pages: Path) -> tuple[list[str], dict]:
    """Run ocrmypdf with the table-aware engine (ingest/formocr/plugin.py) and its renderer."""
    pages.mkdir()
    root = str(Path(__file__).resolve().parent.parent)
    command = [c if c != "sandwich" else "fpdf2" for c in command]
    command += ["--plugin", "ingest.formocr.plugin"]
    path = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return command, {**env, "PYTHONPATH": path, "HEDANG_FORMOCR_DIR": str(pages)}


def _page_structures(pages: Path, count: int) -> tuple[dict | None, ...]:
    import json

    def load(n: int) -> dict | None:
        path = pages / f"{n:06d}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    return tuple(load(n) for n in range(1, count + 1))


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(line for line in text.strip().splitlines()[-lines:])


THUMBNAIL_DPI = 40
# The thumbnails made while a splitter had the pages rendered anyway (render_pages), for the
# filing step that asks for them next in the same process: {sha256 of the PDF: PNGs}.
_made_thumbnails: dict[str, list[bytes]] = {}


def _thumbnail_png(image: Image.Image, size: tuple[int, int] | None = None) -> bytes:
    """A page thumbnail: grey when the page is (pdfium renders every page in RGB), at PNG's
    default level. For the 8 bench/ingest pages: 20 ms and 28 kB a page, against 180 ms and
    65 kB for RGB with ``optimize`` (which searched for a 1 % smaller file)."""
    if size is not None and image.size != size:
        image = image.resize(size, Image.Resampling.BOX)
    image = image.convert("RGB")
    pixels = np.asarray(image)
    if (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all():
        image = image.convert("L")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def render_pages(pdf: bytes, dpi: int) -> Iterator[Image.Image]:
    """Each page rendered at ``dpi`` (RGB), for a reader of the page images (the separator
    sheets' QR codes). The page thumbnails are made from the same renders on the way and kept
    for :func:`render_thumbnails`, so the filing step renders every page once, not twice."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    thumbs = []
    try:
        for page in document:
            width, height = page.get_size()
            image = page.render(scale=dpi / 72).to_pil()
            page.close()
            small = (round(width * THUMBNAIL_DPI / 72), round(height * THUMBNAIL_DPI / 72))
            thumbs.append(_thumbnail_png(image, small))
            yield image
    finally:
        document.close()
    _made_thumbnails.clear()
    _made_thumbnails[hashlib.sha256(pdf).hexdigest()] = thumbs


def render_thumbnails(pdf: bytes, dpi: int = THUMBNAIL_DPI) -> list[bytes]:
    """Small PNG images of every page, for the review queue."""
    import pypdfium2 as pdfium

    if dpi == THUMBNAIL_DPI:
        made = _made_thumbnails.pop(hashlib.sha256(pdf).hexdigest(), None)
        if made is not None:
            return made
    document = pdfium.PdfDocument(pdf)
    try:
        thumbs = []
        for page in document:
            thumbs.append(_thumbnail_png(page.render(scale=dpi / 72).to_pil()))
            page.close()
        return thumbs
    finally:
        document.close()
