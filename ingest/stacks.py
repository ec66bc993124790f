"""Page images that belong together (a sheet-feeding scanner's one-JPEG-per-page output, a
document camera's captures) joined into one PDF, so they go through ingest as one document.

img2pdf embeds JPEG (and JPEG 2000) data unchanged, so nothing is re-compressed: the scanner's
pages are still inside the stored original byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence

import img2pdf

from ingest import sniff


def join_page_images(images: Sequence[bytes], names: Sequence[str] = ()) -> bytes:
    """One PDF with a page per image, in the order given. Raises ``sniff.Rejected`` naming the
    first image that is not a scan we take or that cannot be joined."""
    if not images:
        raise sniff.Rejected("没有图像")
    for number, data in enumerate(images, start=1):
        if sniff.media_type_of(data) not in sniff.IMAGE_TYPES:
            label = names[number - 1] if number <= len(names) else f"第 {number} 张"
            raise sniff.Rejected(f"不是扫描图像：{label}")
    try:
        return img2pdf.convert(list(images), rotation=img2pdf.Rotation.ifvalid)
    except Exception as exc:  # img2pdf raises many kinds for odd images
        raise sniff.Rejected(f"无法合并图像：{exc}") from exc
