"""An item's page images, exported as its masters and named by 档号 + sequence (DA/T 31).

Each page keeps the format the scanner wrote: page-image files as stored; an image original as
it is (a multi-page TIFF becomes one TIFF per page, with the same lossless compression); a PDF
made from scans gives back its embedded JPEG / JPEG 2000 streams byte for byte (img2pdf put
them in unchanged). A JPEG is never decoded and encoded again. Only a page with no scan on it
(born-digital text, an inline image) is rendered to PNG, and ``Export.rendered`` says which.
"""

from __future__ import annotations

import io
import mimetypes
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pikepdf
import pypdfium2 as pdfium
from PIL import Image

from archive.models import File, Item
from archive.storage import read_blob
from ingest import sniff
from scanning.quality import master_pages

RENDER_DPI = 300
# A scan fills its page; a logo or a signature image on a typed page does not.
MIN_PAGE_COVER = 0.8
# TIFF compressions Pillow writes back losslessly; anything else (JPEG-in-TIFF) is kept
# losslessly as LZW rather than compressed as a JPEG a second time.
LOSSLESS_TIFF = {"raw", "tiff_lzw", "tiff_adobe_deflate", "tiff_deflate", "packbits", "group4"}
STORED_FILTERS = ("/DCTDecode", "/JPXDecode", "/CCITTFaxDecode")
SOURCES = {
    "page_image": "页图像文件",
    "original": "原件",
    "frame": "原件的一页",
    "embedded": "PDF 中嵌入的扫描图像",
    "decoded": "PDF 中嵌入的图像（无损解码）",
    "rendered": "渲染的页面（该页没有扫描图像）",
}


class ExportError(ValueError):
    """The item cannot be exported; the message says why, in Chinese."""


@dataclass(frozen=True)
class PageImage:
    page: int
    name: str
    data: bytes = field(repr=False)
    media_type: str
    source: str  # a key of SOURCES


@dataclass(frozen=True)
class Export:
    archive_number: str
    images: list[PageImage]

    @property
    def rendered(self) -> list[int]:
        return [i.page for i in self.images if i.source == "rendered"]

    def summary(self) -> dict:
        """For the operation log and ``--json``."""
        return {
            "archive_number": self.archive_number,
            "files": [
                {"name": i.name, "page": i.page, "media_type": i.media_type, "source": i.source}
                for i in self.images
            ],
            "rendered": self.rendered,
        }


def safe_stem(archive_number: str) -> str:
    """The 档号 as a file name every system takes: its middle dot typed as ".", which the
    archive number parser accepts too, and no path or reserved characters."""
    stem = re.sub(r"[·・･‧•]", ".", archive_number.strip())
    stem = re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "_", stem)
    return stem.lstrip(".") or "item"


def extension(data: bytes, media_type: str = "") -> str:
    kind = sniff.media_type_of(data)
    if kind == sniff.JP2:
        return ".jp2" if data.startswith(sniff.JP2_SIGNATURE) else ".j2k"
    if kind in sniff.EXTENSIONS:
        return sniff.EXTENSIONS[kind]
    return mimetypes.guess_extension(media_type) or ".bin"


def media_type_of(data: bytes, fallback: str = "application/octet-stream") -> str:
    return sniff.media_type_of(data) or fallback


def item_page_images(item: Item) -> Export:
    """The item's page images in page order, as masters. Only filed items (with a 档号)."""
    if not item.archive_number:
        raise ExportError("该件尚未归档（没有档号），不能按档号导出页图像")
    pages = _from_page_image_files(item) or _own_pages(item, _from_original(item))
    if not pages:
        raise ExportError("该件没有页图像，也没有可导出的原件")
    stem = safe_stem(item.archive_number)
    width = max(3, len(str(len(pages))))
    images = [
        PageImage(
            page=number,
            name=f"{stem}-{number:0{width}d}{extension(data, media_type)}",
            data=data,
            media_type=media_type,
            source=source,
        )
        for number, (data, media_type, source) in enumerate(pages, start=1)
    ]
    return Export(item.archive_number, images)


Page = tuple[bytes, str, str]  # data, media type, source


def _own_pages(item: Item, pages: list[Page]) -> list[Page]:
    """Only the item's own pages of its original: a part of a scanned stack shares the
    stack's original, and blank duplex backs left out at ingest are not the item's pages."""
    masters = master_pages(item)
    if masters is None or len(pages) <= 1:
        return pages
    return [pages[n - 1] for n in masters if 0 < n <= len(pages)]


def _from_page_image_files(item: Item) -> list[Page]:
    pages = []
    for file in item.files.filter(role=File.Role.PAGE_IMAGE).order_by("page_number", "pk"):
        data = read_blob(file.sha256)
        pages.append((data, media_type_of(data, file.media_type), "page_image"))
    return pages


def _from_original(item: Item) -> list[Page]:
    original = item.files.filter(role=File.Role.ORIGINAL).order_by("pk").first()
    if original is None:
        return []
    data = read_blob(original.sha256)
    kind = sniff.media_type_of(data)
    if kind == sniff.PDF:
        return pdf_page_images(data)
    if kind == sniff.TIFF:
        return tiff_pages(data)
    return [(data, media_type_of(data, original.media_type), "original")]


def tiff_pages(data: bytes) -> list[Page]:
    """A single-page TIFF as it is; a multi-page one as one TIFF per page."""
    with Image.open(io.BytesIO(data)) as image:
        count = getattr(image, "n_frames", 1)
        if count == 1:
            return [(data, sniff.TIFF, "original")]
        pages = []
        for index in range(count):
            image.seek(index)
            compression = image.info.get("compression", "raw")
            if compression not in LOSSLESS_TIFF or (compression == "group4" and image.mode != "1"):
                compression = "tiff_lzw"
            options = {"compression": compression}
            if image.info.get("dpi"):
                options["dpi"] = image.info["dpi"]
            if image.info.get("icc_profile"):
                options["icc_profile"] = image.info["icc_profile"]
            buf = io.BytesIO()
            image.copy().save(buf, format="TIFF", **options)
            pages.append((buf.getvalue(), sniff.TIFF, "frame"))
    return pages


# --------------------------------------------------------------------------- PDF


def pdf_page_images(data: bytes) -> list[Page]:
    """Per page, the scan drawn over it as stored in the PDF, else the page rendered."""
    pages: list[Page] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for index, page in enumerate(pdf.pages):
            scan = page_scan(page)
            extracted = _extract(scan) if scan is not None else None
            pages.append(extracted or _render(data, index))
    return pages


def page_scan(page: pikepdf.Page) -> pikepdf.Object | None:
    """The image XObject that covers the page (the largest, if several), or None.

    Follows the content stream's transformation matrices to where each image is drawn,
    so a small image on a typed page is not taken for the page.
    """
    box = [float(v) for v in page.cropbox]
    page_area = abs((box[2] - box[0]) * (box[3] - box[1])) or 1.0
    xobjects = page.resources.get("/XObject", {})
    ctm, stack = pikepdf.Matrix(), []
    best, best_area = None, 0.0
    for operands, operator in pikepdf.parse_content_stream(page, "q Q cm Do"):
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else pikepdf.Matrix()
        elif op == "cm":
            ctm = pikepdf.Matrix(*[float(v) for v in operands]) @ ctm
        elif op == "Do":
            xobject = xobjects.get(operands[0])
            if xobject is None or xobject.get("/Subtype") != "/Image":
                continue
            area = _drawn_area(ctm)
            if area > best_area:
                best, best_area = xobject, area
    if best is None or best_area < MIN_PAGE_COVER * page_area:
        return None
    return best


def _drawn_area(ctm: pikepdf.Matrix) -> float:
    """Area of the image's bounding box on the page (an image is the unit square)."""
    corners = [ctm.transform((x, y)) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return (max(xs) - min(xs)) * (max(ys) - min(ys))


def _extract(xobject: pikepdf.Object) -> Page | None:
    image = pikepdf.PdfImage(xobject)
    buf = io.BytesIO()
    try:
        # DCT (JPEG) and JPX (JPEG 2000) data is written out as stored; CCITT G3/G4 data gets
        # a TIFF header around it; Flate becomes a PNG (decoded, losslessly).
        image.extract_to(stream=buf)
        data = buf.getvalue()
        direct = image.filters and image.filters[-1] in STORED_FILTERS
        return data, media_type_of(data), "embedded" if direct else "decoded"
    except Exception:  # noqa: BLE001 — pikepdf raises many kinds for what it cannot extract
        pass
    try:
        buf = io.BytesIO()
        image.as_pil_image().save(buf, format="PNG")
        return buf.getvalue(), sniff.PNG, "decoded"
    except Exception:  # noqa: BLE001 — then the page is rendered instead
        return None


def _render(data: bytes, index: int) -> Page:
    document = pdfium.PdfDocument(data)
    try:
        page = document[index]
        bitmap = page.render(scale=RENDER_DPI / 72)
        image = bitmap.to_pil()
        buf = io.BytesIO()
        image.save(buf, format="PNG", dpi=(RENDER_DPI, RENDER_DPI))
        page.close()
    finally:
        document.close()
    return buf.getvalue(), sniff.PNG, "rendered"


# --------------------------------------------------------------------------- writing


def write_folder(export: Export, folder: Path) -> list[Path]:
    """Write every image into ``folder`` (made if missing); an existing file is replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for image in export.images:
        path = folder / image.name
        path.write_bytes(image.data)
        written.append(path)
    return written


def write_zip(export: Export, target: Path | BinaryIO) -> None:
    """A ZIP of the images in page order. Stored, not deflated: the images are compressed
    already. The comment names the pages that had to be rendered."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for image in export.images:
            archive.writestr(image.name, image.data)
        archive.comment = zip_comment(export).encode("utf-8")


def zip_comment(export: Export) -> str:
    comment = f"{export.archive_number}：{len(export.images)} 页图像，按页序命名。"
    if export.rendered:
        pages = "、".join(str(p) for p in export.rendered)
        comment += f"第 {pages} 页没有扫描图像，已渲染为 PNG（{RENDER_DPI} dpi）。"
    return comment
