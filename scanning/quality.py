"""Image quality of scanned pages (DA/T 31-2017): resolution, residual skew, blank pages.

- resolution: below 200 dpi the page is refused; below 300 dpi it is warned (small or dense
  text needs 300 dpi). The dpi is read from the image file; without one it is estimated
  from the pixel size as if the page were A4, and says so.
- residual skew after deskew: more than 3° is flagged (the skew is measured on the stored
  image, which the ingest pipeline has already straightened).
- blank pages: flagged; in a duplex scan a blank back (every even page) is dropped.
- page order: the result keeps the pages in the order given and numbers them from 1.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image

from ingest.deskew import estimate_skew

MIN_DPI = 200
GOOD_DPI = 300
MAX_SKEW = 3.0
BLANK_INK_RATIO = 0.002  # share of dark pixels (inside the margins) below which a page is blank
A4_SHORT_INCHES = 210 / 25.4

REFUSED, WARNING, FLAGGED = "refused", "warning", "flagged"
LEVEL_NAMES = {REFUSED: "拒收", WARNING: "警告", FLAGGED: "标记"}


@dataclass
class Finding:
    rule: str  # "resolution", "skew", "blank", "unreadable"
    level: str  # REFUSED, WARNING or FLAGGED
    message: str


@dataclass
class PageQuality:
    number: int  # 1-based, in the order the pages were given
    dpi: float = 0.0
    dpi_estimated: bool = False
    skew: float = 0.0
    ink_ratio: float = 0.0
    blank: bool = False
    dropped: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(f.level == REFUSED for f in self.findings)

    @property
    def level(self) -> str:
        levels = {f.level for f in self.findings}
        for level in (REFUSED, WARNING, FLAGGED):
            if level in levels:
                return level
        return "ok"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "level": self.level}


def _image(source) -> Image.Image:
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, bytes | bytearray):
        return Image.open(io.BytesIO(source))
    return Image.open(source)


def page_dpi(image: Image.Image) -> tuple[float, bool]:
    """(dpi, estimated): the file's own resolution, else one estimated for an A4 page."""
    dpi = image.info.get("dpi")
    if dpi:
        try:
            value = float(min(dpi[0], dpi[1]))
        except (TypeError, ValueError, IndexError):
            value = 0.0
        if value > 1:
            return round(value, 1), False
    return round(min(image.size) / A4_SHORT_INCHES, 1), True


def _grey(image: Image.Image) -> np.ndarray:
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB") if image.mode in ("RGBA", "P", "CMYK") else image.convert("L")
    return np.asarray(image.convert("L"))


def ink_ratio(grey: np.ndarray, margin: float = 0.04) -> float:
    """Share of dark pixels inside the margins (scanner edges and shadows left out)."""
    height, width = grey.shape
    scale = min(1.0, 1200 / max(height, width))
    small = cv2.resize(
        grey,
        (max(1, int(width * scale)), max(1, int(height * scale))),
        interpolation=cv2.INTER_AREA,
    )
    h, w = small.shape
    dy, dx = int(h * margin), int(w * margin)
    inner = small[dy : h - dy or h, dx : w - dx or w]
    return float((inner < 128).mean()) if inner.size else 0.0


def check_page(source, number: int = 1, *, duplex_back: bool = False) -> PageQuality:
    """The quality of one page image (bytes, a path or a PIL image)."""
    result = PageQuality(number=number)
    try:
        image = _image(source)
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        result.findings.append(Finding("unreadable", REFUSED, f"第 {number} 页图像无法打开：{exc}"))
        return result
    result.dpi, result.dpi_estimated = page_dpi(image)
    shown = f"{result.dpi:.0f} dpi" + ("（按 A4 估算）" if result.dpi_estimated else "")
    if result.dpi < MIN_DPI:
        result.findings.append(
            Finding("resolution", REFUSED, f"第 {number} 页分辨率低于 {MIN_DPI} dpi：{shown}")
        )
    elif result.dpi < GOOD_DPI:
        result.findings.append(
            Finding(
                "resolution",
                WARNING,
                f"第 {number} 页分辨率 {shown}，低于 {GOOD_DPI} dpi：小字或密集文字应以 300 dpi 扫描",
            )
        )
    grey = _grey(image)
    result.ink_ratio = round(ink_ratio(grey), 5)
    result.blank = result.ink_ratio < BLANK_INK_RATIO
    if result.blank:
        result.dropped = duplex_back
        note = "，双面扫描的空白背面已剔除" if duplex_back else ""
        result.findings.append(Finding("blank", FLAGGED, f"第 {number} 页为空白页{note}"))
        return result
    result.skew = round(estimate_skew(grey), 2)
    if abs(result.skew) > MAX_SKEW:
        result.findings.append(
            Finding(
                "skew",
                FLAGGED,
                f"第 {number} 页纠偏后仍倾斜 {abs(result.skew):.1f}°，超过 {MAX_SKEW:.0f}°",
            )
        )
    return result


def check_pages(pages, *, duplex: bool = False) -> list[PageQuality]:
    """Every page in the order given; in a duplex scan the even pages are backs."""
    return [
        check_page(page, number, duplex_back=duplex and number % 2 == 0)
        for number, page in enumerate(pages, start=1)
    ]


def kept_pages(results: list[PageQuality]) -> list[int]:
    """The numbers of the pages kept (blank duplex backs dropped), in their original order."""
    return [r.number for r in results if not r.dropped]


def summary(results: list[PageQuality]) -> dict[str, Any]:
    """What to store on the item (``item.fields["page_quality"]``) and show with it."""
    return {
        "pages": [r.as_dict() for r in results],
        "kept": kept_pages(results),
        "refused": [r.number for r in results if r.refused],
        "warnings": [f.message for r in results for f in r.findings if f.level != REFUSED],
        "problems": [f.message for r in results for f in r.findings if f.level == REFUSED],
    }


# --------------------------------------------------------------------------- items


def pdf_page_images(data: bytes) -> list[Image.Image | None]:
    """Per PDF page, its largest embedded image with the dpi it is printed at (None for a
    page without images: a born-digital page has no scan to check)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    images: list[Image.Image | None] = []
    pdf = pdfium.PdfDocument(data)
    try:
        for page in pdf:
            best, best_px = None, 0
            for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
                width, height = obj.get_px_size()
                if width * height > best_px:
                    best, best_px = obj, width * height
            if best is None:
                images.append(None)
                continue
            left, bottom, right, top = best.get_bounds()
            image = best.get_bitmap(render=False).to_pil()
            inches = max(right - left, top - bottom) / 72
            if inches > 0:
                dpi = max(image.size) / inches
                image.info["dpi"] = (dpi, dpi)
            images.append(image)
    finally:
        pdf.close()
    return images


def item_page_images(item) -> list[Image.Image | None]:
    """The item's page images in page order: its page-image files, else its original's
    frames (an image file) or embedded scans (a PDF)."""
    from archive.models import File
    from archive.storage import read_blob

    files = list(item.files.filter(role=File.Role.PAGE_IMAGE).order_by("page_number", "pk"))
    if files:
        return [_image(read_blob(f.sha256)) for f in files]
    original = item.files.filter(role=File.Role.ORIGINAL).order_by("pk").first()
    if original is None:
        return []
    data = read_blob(original.sha256)
    if original.media_type == "application/pdf" or data[:5] == b"%PDF-":
        return pdf_page_images(data)
    frames = []
    with Image.open(io.BytesIO(data)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frame = image.copy()
            frame.info["dpi"] = image.info.get("dpi") or frame.info.get("dpi")
            if not frame.info["dpi"]:
                frame.info.pop("dpi")
            frames.append(frame)
    return frames


def check_item(item, *, duplex: bool = False, save: bool = True) -> dict[str, Any]:
    """Check every scanned page of ``item``; keep the summary in ``item.fields["page_quality"]``."""
    images = item_page_images(item)
    results = []
    for number, image in enumerate(images, start=1):
        if image is None:
            results.append(PageQuality(number=number, dpi=0.0))
            continue
        results.append(check_page(image, number, duplex_back=duplex and number % 2 == 0))
    result = summary(results)
    result["scanned"] = sum(image is not None for image in images)
    if save:
        from archive.models import Item

        fields = {**item.fields, "page_quality": result}
        Item.objects.filter(pk=item.pk).update(fields=fields)
        item.fields = fields
    return result
