"""Page images and texts of the two sides of a pair, and the cached paper readings."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image

from archive.models import File, Item
from archive.storage import read_blob
from consistency.reading import PageReading, read_page

RENDER_DPI = 300
PDF = "application/pdf"


def _pdf_images(data: bytes) -> list[Image.Image]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for index in range(len(doc)):
            image = doc[index].render(scale=RENDER_DPI / 72).to_pil().convert("RGB")
            image.info["dpi"] = (RENDER_DPI, RENDER_DPI)
            out.append(image)
        return out
    finally:
        doc.close()


def _image_frames(data: bytes) -> list[Image.Image]:
    frames = []
    with Image.open(io.BytesIO(data)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frame = image.convert("RGB")
            frame.info["dpi"] = image.info.get("dpi") or (RENDER_DPI, RENDER_DPI)
            frames.append(frame)
    return frames


def paper_sources(item: Item) -> list[tuple[str, File]]:
    """The stored files holding the item's scans: ``[(kind, file)]``, kind ``image`` or
    ``pdf``: page-image files, else the OCR'd access copy, else the original."""
    images = list(item.files.filter(role=File.Role.PAGE_IMAGE).order_by("page_number", "pk"))
    if images:
        return [("image", f) for f in images]
    for role in (File.Role.ACCESS, File.Role.ORIGINAL):
        f = item.files.filter(role=role).order_by("pk").first()
        if f is not None:
            return [("pdf" if f.media_type == PDF else "image", f)]
    return []


def paper_images(item: Item) -> list[Image.Image]:
    out: list[Image.Image] = []
    for kind, f in paper_sources(item):
        data = read_blob(f.sha256)
        out += _pdf_images(data) if kind == "pdf" or data[:5] == b"%PDF-" else _image_frames(data)
    return out


def paper_readings(item: Item, images: list[Image.Image]) -> list[PageReading]:
    """The check's own reading of every page, cached by the page's source and number."""
    from consistency.models import PaperReadingCache

    sources = "+".join(f.sha256 for _, f in paper_sources(item))
    out = []
    for number, image in enumerate(images, start=1):
        key = _cache_key(sources, number)
        cached = PaperReadingCache.objects.filter(image_sha256=key).first()
        if cached is not None:
            out.append(PageReading.from_json(cached.reading))
            continue
        page = read_page(image, number)
        PaperReadingCache.objects.update_or_create(
            image_sha256=key, defaults={"reading": page.as_json()}
        )
        out.append(page)
    return out


@lru_cache(maxsize=4096)
def _cache_key(sources: str, number: int) -> str:
    import hashlib

    return hashlib.sha256(f"{sources}#{number}".encode()).hexdigest()


def electronic_texts(item: Item) -> list[str]:
    return list(item.pages.order_by("number").values_list("text", flat=True))


def is_scanned(item: Item) -> bool:
    return item.carrier in (Item.Carrier.PAPER, Item.Carrier.BOTH) and bool(paper_sources(item))


def has_electronic_text(item: Item) -> bool:
    if item.carrier == Item.Carrier.PAPER:
        return False
    original = item.files.filter(role=File.Role.ORIGINAL, media_type=PDF).exists()
    return original and item.pages.exclude(text="").exists()
