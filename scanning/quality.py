"""Image quality of an item's stored scans (DA/T 31-2017), checked on demand.

The page rules live in ingest.quality (the ingest pipeline runs them on every scanned page as
it takes a file; ingest may not import this app). This module finds an item's page images
and keeps the result in ``item.fields["page_quality"]``, in the same shape the pipeline stores.
The skew is measured on the stored image, which the ingest pipeline has already straightened.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from ingest.pdfscans import pdf_page_images
from ingest.quality import (  # noqa: F401 - the checks, for callers that know them from here
    BLANK_INK_RATIO,
    COLOUR_NAMES,
    FLAGGED,
    GOOD_DPI,
    LEVEL_NAMES,
    MAX_SKEW,
    MIN_DPI,
    REFUSED,
    WARNING,
    Finding,
    PageQuality,
    Profile,
    _image,
    check_page,
    check_pages,
    is_duplex_back,
    kept_pages,
    page_dpi,
    summary,
)

# --------------------------------------------------------------------------- items


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
