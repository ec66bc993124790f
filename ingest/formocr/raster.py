"""A scanned page's own pixels for OCR, instead of the page rendered again.

ocrmypdf rasterises every page before it reads it. A page that ingest.scanprep made from a
scan is a single image drawn over the whole page at the very resolution ocrmypdf asks for, so
rendering it (pdfium: 0.1–0.3 CPU s an A4 page at 300 dpi, and as much again to write it as a
PNG) only resamples the scan onto the same grid, a little blurred (mean difference 0.5–4 grey
levels). :func:`page_png` hands the PDF's image stream over as a PNG as it is when the page is
exactly that, and answers None for anything else (other content, a mask, a rotation, another
resolution, a cropped or offset page), which is then rendered as before. The plugin uses it
only for pages ocrmypdf neither deskews nor turns (ingest/formocr/plugin.py says why); on the
path scans take through ingest the two read equally well (docs/benchmarks.md, OCR).
"""

from __future__ import annotations

import io
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pikepdf

# What ocrmypdf's raster devices give, and the exact conversions from a scan's own mode.
DEVICE_MODES = {"pnggray": "L", "png16m": "RGB", "pngmono": "1"}
EXACT = {("1", "L"), ("L", "RGB"), ("1", "RGB")}
_TOLERANCE = Decimal("0.01")  # points: img2pdf writes the page size to 4 decimals


def page_png(
    pdf: Path, pageno: int, dpi: tuple[float, float], device: str, page_dpi: tuple[float, float]
) -> bytes | None:
    """Page ``pageno`` (from 1) of ``pdf`` as a PNG of what ocrmypdf's ``device`` would
    rasterise at ``dpi`` (marked ``page_dpi``), if the page is one full-page image at that
    resolution; else None."""
    mode = DEVICE_MODES.get(device.lower())
    if mode is None:
        return None
    with pikepdf.open(pdf) as document:
        page = document.pages[pageno - 1]
        image = _full_page_image(page)
        if image is None:
            return None
        left, bottom, right, top = (Decimal(str(v)) for v in page.mediabox)
        # The size pypdfium gives the bitmap (ocrmypdf's builtin rasteriser rounds the same way).
        expected = (
            int(round(float(right - left) * round(dpi[0], 6) / 72.0)),
            int(round(float(top - bottom) * round(dpi[1], 6) / 72.0)),
        )
        if (int(image.Width), int(image.Height)) != expected:
            return None
        png = _stream_as_png(image, mode, page_dpi)
        if png is not None:
            return png
        pil = pikepdf.PdfImage(image).as_pil_image()
    if pil.mode != mode:
        if (pil.mode, mode) not in EXACT:
            return None
        pil = pil.convert(mode)
    buf = io.BytesIO()
    pil.save(buf, format="PNG", dpi=page_dpi)
    return buf.getvalue()


# PNG colour type and bit depth of each device mode.
_PNG_TYPES = {"L": (0, 8, 1), "RGB": (2, 8, 3), "1": (0, 1, 1)}


def _stream_as_png(image: pikepdf.Object, mode: str, dpi: tuple[float, float]) -> bytes | None:
    """The image's Flate stream with PNG predictors is a PNG's IDAT data as it is (img2pdf puts
    a PNG's IDAT into the PDF unchanged): wrapped in a PNG's chunks it is the page, with no
    decoding or encoding. None for any other kind of stream."""
    colour_type, depth, colours = _PNG_TYPES[mode]
    params = image.get("/DecodeParms")
    if image.get("/Filter") != "/FlateDecode" or not isinstance(params, pikepdf.Dictionary):
        return None
    width = int(image.Width)
    if (
        int(params.get("/Predictor", 1)) < 10
        or int(params.get("/Colors", 1)) != colours
        or int(params.get("/BitsPerComponent", 8)) != depth
        or int(params.get("/Columns", 1)) != width
        or int(image.get("/BitsPerComponent", 0)) != depth
    ):
        return None

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    per_metre = [round(d / 0.0254) for d in dpi]
    header = struct.pack(">IIBBBBB", width, int(image.Height), depth, colour_type, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"pHYs", struct.pack(">IIB", *per_metre, 1)),
            chunk(b"IDAT", image.read_raw_bytes()),
            chunk(b"IEND", b""),
        )
    )


def _full_page_image(page: pikepdf.Page) -> pikepdf.Object | None:
    """The image XObject the page consists of: ``q w 0 0 h x y cm /Im Do Q`` covering the
    media box exactly, unrotated, no mask, no decode array, nothing else on the page."""
    if int(page.obj.get("/Rotate", 0)) % 360:
        return None
    left, bottom, right, top = (Decimal(str(v)) for v in page.mediabox)
    ops = [(str(op), list(operands)) for operands, op in pikepdf.parse_content_stream(page)]
    if [op for op, _ in ops] != ["q", "cm", "Do", "Q"]:
        return None
    matrix = [Decimal(str(v)) for v in ops[1][1]]
    wanted = [right - left, 0, 0, top - bottom, left, bottom]
    if len(matrix) != 6 or any(
        abs(m - w) > _TOLERANCE for m, w in zip(matrix, wanted, strict=True)
    ):
        return None
    name = ops[2][1][0]
    xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
    image = xobjects.get(name)
    if image is None or image.get("/Subtype") != "/Image":
        return None
    if any(key in image for key in ("/SMask", "/Mask", "/Decode", "/SMaskInData")):
        return None
    if image.get("/ImageMask", False):
        return None
    if image.get("/ColorSpace") not in ("/DeviceGray", "/DeviceRGB"):
        return None  # an ICC profile or a palette: left to the renderer's colour handling
    return image
