"""The scans inside a PDF: per page, the image that is the scanned page (if any) and the
resolution it is printed at. A page is a scan when its largest image covers at least
SCAN_COVERAGE of it, so a logo on a born-digital page is not taken for one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from PIL import Image

SCAN_COVERAGE = 0.5


def pdf_scans(pdf, decode: bool | set[int]) -> Iterator[tuple[Any, Image.Image | None, float]]:
    """Per page: (page, its scan image or None, the dpi the scan is printed at). A page is a
    scan when its largest image covers at least SCAN_COVERAGE of it (a logo is not). Scans
    are decoded when ``decode`` is True or holds the page's (1-based) number."""
    import pypdfium2.raw as pdfium_c

    for number, page in enumerate(pdf, start=1):
        try:
            page_w, page_h = page.get_size()
            best, best_px = None, 0
            for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
                width, height = obj.get_px_size()
                if width * height > best_px:
                    best, best_px = obj, width * height
            if best is None:
                yield page, None, 0.0
                continue
            left, bottom, right, top = best.get_bounds()
            if (right - left) * (top - bottom) < SCAN_COVERAGE * page_w * page_h:
                yield page, None, 0.0
                continue
            inches = max(right - left, top - bottom) / 72
            dpi = max(best.get_px_size()) / inches if inches > 0 else 0.0
            wanted = decode is True or (decode is not False and number in decode)
            image = best.get_bitmap(render=False).to_pil() if wanted else None
            if image is not None and dpi:
                image.info["dpi"] = (dpi, dpi)
            yield page, image, dpi
        finally:
            page.close()


def pdf_page_images(data: bytes, pages: Iterable[int] | None = None) -> list[Image.Image | None]:
    """Per PDF page, its scan with the dpi it is printed at (None for a page that is not a
    scan: a born-digital page has no scan to check). ``pages``: only these (1-based) are
    decoded, the others are None."""
    import pypdfium2 as pdfium

    decode = set(pages) if pages is not None else True
    images: list[Image.Image | None] = []
    pdf = pdfium.PdfDocument(data)
    try:
        for _page, image, _dpi in pdf_scans(pdf, decode):
            images.append(image)
    finally:
        pdf.close()
    return images
