"""Page images that belong together (a sheet-feeding scanner's one-JPEG-per-page output, a
document camera's captures) joined into one PDF, so they go through ingest as one document.

img2pdf embeds JPEG (and JPEG 2000) data unchanged, so nothing is re-compressed: the scanner's
pages are still inside the stored original byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence

import img2pdf

from ingest import quality, sniff

A4_LONG_INCHES = 297 / 25.4


def join_page_images(
    images: Sequence[bytes], names: Sequence[str] = (), *, a4_frames: bool = False
) -> bytes:
    """One PDF with a page per image, in the order given. Raises ``sniff.Rejected`` naming the
    first image that is not a scan we take or that cannot be joined.

    ``a4_frames``: the images are camera frames framing an A4 page (a document camera's
    captures carry no resolution; img2pdf would lay them out at 96 dpi, 34 inches wide). Each
    page is then sized as A4 along its long side, so its resolution is what the camera really
    resolves on the paper, which the page-quality checks (DA/T 31) judge."""
    if not images:
        raise sniff.Rejected("没有图像")
    for number, data in enumerate(images, start=1):
        label = names[number - 1] if number <= len(names) else f"第 {number} 张"
        if sniff.media_type_of(data) not in sniff.IMAGE_TYPES:
            raise sniff.Rejected(f"不是扫描图像：{label}")
        # Checked before joining: img2pdf lays a 595×842 px image marked 72 dpi out as an
        # exact A4 page, and a page's 72 dpi reads as a program's default (not a scan's real
        # resolution), so the joined PDF would slip past the pixel rule an image meets alone.
        if message := quality.pixels_refusal(data, number):
            raise sniff.Rejected(f"{label}：{message}")
    try:
        layout = {"layout_fun": _a4_layout} if a4_frames else {}
        return img2pdf.convert(list(images), rotation=img2pdf.Rotation.ifvalid, **layout)
    except Exception as exc:  # img2pdf raises many kinds for odd images
        raise sniff.Rejected(f"无法合并图像：{exc}") from exc


def _a4_layout(width_px: int, height_px: int, _dpi) -> tuple[float, float, float, float]:
    dpi = max(width_px, height_px) / A4_LONG_INCHES
    width_pt, height_pt = width_px / dpi * 72, height_px / dpi * 72
    return width_pt, height_pt, width_pt, height_pt
