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
from ingest.quality import PageQuality, check_page, open_image, summary

# --------------------------------------------------------------------------- items


def item_page_images(item) -> list[Image.Image | None]:
    """The item's page images in page order: its page-image files, else its original's
    frames (an image file) or embedded scans (a PDF)."""
    from archive.models import File
    from archive.storage import read_blob

    files = list(item.files.filter(role=File.Role.PAGE_IMAGE).order_by("page_number", "pk"))
    if files:
        return [open_image(read_blob(f.sha256)) for f in files]
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


def master_pages(item) -> list[int] | None:
    """The pages of the item's original that are the item's pages, in order, when they are
    not simply all of them: one part of a scanned stack, or a duplex scan whose blank backs
    were left out at ingest. None: every page of the original, in order."""
    checked = item.fields.get("page_quality") or {}
    if checked.get("kept") and (checked.get("dropped") or "part" in checked):
        return list(checked["kept"])
    source = item.fields.get("source") or {}
    if source.get("first_page") and source.get("last_page"):
        return list(range(source["first_page"], source["last_page"] + 1))
    return None


def _access_images(item) -> list[Image.Image | None] | None:
    """The scans in the item's access copy, when ingest made it from part of the original:
    those are the item's pages, straightened (so the skew measured is what deskew left)."""
    from archive.models import File
    from archive.storage import read_blob

    access = item.files.filter(role=File.Role.ACCESS, media_type="application/pdf").first()
    if access is None or master_pages(item) is None:
        return None
    return pdf_page_images(read_blob(access.sha256))


def check_item(item, *, duplex: bool = False, save: bool = True) -> dict[str, Any]:
    """Check every scanned page of ``item``; keep the summary in ``item.fields["page_quality"]``.

    For an item made of part of its original (a stack part, blank backs left out) the pages
    checked are its own, from its access copy, numbered as the original's pages; what ingest
    left out stays recorded as left out (``duplex`` does not apply again)."""
    images = _access_images(item)
    masters = master_pages(item) if images is not None else None
    if images is None:
        images = item_page_images(item)
    results = []
    for index, image in enumerate(images):
        number = masters[index] if masters and index < len(masters) else index + 1
        if image is None:
            results.append(PageQuality(number=number, dpi=0.0))
            continue
        back = duplex and masters is None and number % 2 == 0
        results.append(check_page(image, number, duplex_back=back))
    result = summary(results)
    result["scanned"] = sum(image is not None for image in images)
    if masters is not None:
        before = item.fields.get("page_quality") or {}
        for key in ("dropped", "profile", "part"):
            if before.get(key):
                result[key] = before[key]
    if save:
        from archive.models import Item

        fields = {**item.fields, "page_quality": result}
        Item.objects.filter(pk=item.pk).update(fields=fields)
        item.fields = fields
    return result
