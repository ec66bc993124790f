"""Step 0, before anything is stored: what is this file, and is it safe to take?

The type comes from the bytes, never from the name. Anything that cannot be read whole —
empty, truncated, encrypted, a decompression bomb, an archive that escapes its folder — is
refused here with a reason in Chinese, so nothing of it is ever stored.
"""

from __future__ import annotations

import io
import posixpath
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import pikepdf
import pypdfium2 as pdfium
from PIL import Image

PDF, JPEG, PNG, TIFF, JP2, ZIP = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/jp2",
    "application/zip",
)
IMAGE_TYPES = (JPEG, PNG, TIFF, JP2)
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", TIFF: ".tif", JP2: ".jp2", ZIP: ".zip"}
# JPEG 2000 (DA/T 31 allows it for masters): the JP2 file format's signature box, or a bare
# J2K codestream (SOC marker then SIZ) as some scanners write it. Both are "image/jp2" here.
JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
J2K_CODESTREAM = b"\xff\x4f\xff\x51"


class Rejected(ValueError):
    """The file is refused; ``str(exc)`` says why, in words an archivist understands."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 512 * 1024 * 1024
    max_pages: int = 500
    max_image_pixels: int = 120_000_000  # a 600-dpi A3 colour scan is ~70 MP
    max_zip_entries: int = 2000
    max_zip_bytes: int = 4 * 1024 * 1024 * 1024
    max_zip_ratio: int = 200


@dataclass(frozen=True)
class Sniffed:
    media_type: str
    pages: int
    has_text: bool = False  # PDFs only: some page already carries text


def media_type_of(data: bytes) -> str | None:
    if data.startswith(b"%PDF-") or data[:1024].find(b"%PDF-") >= 0:
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if data.startswith((JP2_SIGNATURE, J2K_CODESTREAM)):
        return JP2
    if data.startswith(b"PK\x03\x04"):
        return ZIP
    return None


def sniff(name: str, data: bytes, limits: Limits = Limits()) -> Sniffed:
    """Classify and check one file; raise Rejected with the reason."""
    if not data:
        raise Rejected("空文件（0 字节）")
    if len(data) > limits.max_bytes:
        raise Rejected(
            f"文件过大：{len(data) // 1048576} MB，上限 {limits.max_bytes // 1048576} MB"
        )
    media_type = media_type_of(data)
    if media_type is None:
        claimed = PurePosixPath(name).suffix.lower() or "无扩展名"
        raise Rejected(
            f"不支持的文件类型：内容不是 PDF、JPEG、PNG、TIFF 或 JPEG 2000（文件名为 {claimed}）"
        )
    if media_type == PDF:
        return _sniff_pdf(data, limits)
    if media_type == ZIP:
        raise Rejected("压缩包须先展开（请使用 expand_zip）")
    return _sniff_image(media_type, data, limits)


def _sniff_pdf(data: bytes, limits: Limits) -> Sniffed:
    if b"%%EOF" not in data[-2048:]:
        raise Rejected("PDF 不完整：缺少文件结尾标记（可能传输中断）")
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
            if pages <= limits.max_pages:
                _check_pdf_dimensions(pdf, limits)
    except pikepdf.PasswordError as exc:
        raise Rejected("PDF 已加密，无法读取；请提供未加密的文件") from exc
    except pikepdf.PdfError as exc:
        raise Rejected(f"PDF 已损坏，无法读取：{exc}") from exc
    if pages == 0:
        raise Rejected("PDF 没有页面")
    try:
        has_text = any(t.strip() for t in pdf_page_texts(data))
    except pdfium.PdfiumError as exc:
        raise Rejected(f"PDF 已损坏，无法读取：{exc}") from exc
    if pages > limits.max_pages:
        raise Rejected(f"PDF 页数过多：{pages} 页，上限 {limits.max_pages} 页")
    return Sniffed(PDF, pages, has_text)


# OCR rasterises a page without images at this resolution: the page size must fit the
# pixel budget there too (a 92 KB PDF with one 20000×20000 pt page took minutes and 4 GB).
RASTER_DPI = 300


def _check_pdf_dimensions(pdf: pikepdf.Pdf, limits: Limits) -> None:
    """Refuse, before anything is rasterised, a page whose size at RASTER_DPI or whose
    embedded images exceed ``limits.max_image_pixels``."""
    for number, page in enumerate(pdf.pages, start=1):
        try:
            box = [float(v) for v in page.obj.get("/MediaBox", page.mediabox)]
            unit = float(page.obj.get("/UserUnit", 1))
        except (TypeError, ValueError) as exc:
            raise Rejected(f"PDF 第 {number} 页的页面尺寸无法读取：{exc}") from exc
        width_pt, height_pt = abs(box[2] - box[0]) * unit, abs(box[3] - box[1]) * unit
        pixels = (width_pt / 72 * RASTER_DPI) * (height_pt / 72 * RASTER_DPI)
        if pixels > limits.max_image_pixels:
            raise Rejected(
                f"PDF 第 {number} 页尺寸过大（{width_pt / 72 * 25.4:.0f}×"
                f"{height_pt / 72 * 25.4:.0f} 毫米），按 {RASTER_DPI} dpi 识别需 "
                f"{pixels / 1e6:.0f} 百万像素，上限 {limits.max_image_pixels / 1e6:.0f} 百万像素"
            )
        for name, image in _page_images(page):
            try:
                w, h = int(image.get("/Width", 0)), int(image.get("/Height", 0))
            except (TypeError, ValueError):
                continue
            if w * h > limits.max_image_pixels:
                raise Rejected(
                    f"PDF 第 {number} 页的图像 {name} 为 {w}×{h} 像素，"
                    f"超过上限 {limits.max_image_pixels / 1e6:.0f} 百万像素，疑似解压炸弹"
                )


def _page_images(page) -> list:
    """The image XObjects of a page, also inside its form XObjects (one level)."""
    found = []
    resources = page.obj.get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    for name, xobj in dict(xobjects).items():
        subtype = xobj.get("/Subtype")
        if subtype == "/Image":
            found.append((str(name), xobj))
        elif subtype == "/Form":
            inner = (xobj.get("/Resources") or {}).get("/XObject") or {}
            found += [
                (f"{name}{n}", x) for n, x in dict(inner).items() if x.get("/Subtype") == "/Image"
            ]
    return found


def pdf_page_texts(data: bytes) -> list[str]:
    """The text layer of every page (empty strings for pure scans)."""
    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def _sniff_image(media_type: str, data: bytes, limits: Limits) -> Sniffed:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        previous = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.verify()
            frames = 0
            with Image.open(io.BytesIO(data)) as img:
                for index in range(getattr(img, "n_frames", 1)):
                    img.seek(index)
                    if img.width * img.height > limits.max_image_pixels:
                        raise Rejected(_bomb_message(img.width * img.height, limits))
                    img.load()
                    frames += 1
                    if frames > limits.max_pages:
                        raise Rejected(f"图像页数过多，上限 {limits.max_pages} 页")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise Rejected(f"图像像素过多，疑似解压炸弹：{exc}") from exc
        except Rejected:
            raise
        except (OSError, SyntaxError, ValueError) as exc:
            raise Rejected(f"图像已损坏或不完整，无法读取：{exc}") from exc
        finally:
            Image.MAX_IMAGE_PIXELS = previous
    return Sniffed(media_type, frames)


def _bomb_message(pixels: int, limits: Limits) -> str:
    return f"图像像素过多：{pixels // 1_000_000} MP，上限 {limits.max_image_pixels // 1_000_000} MP"


def expand_zip(name: str, data: bytes, limits: Limits = Limits()) -> list[tuple[str, bytes]]:
    """The files inside a ZIP, or Rejected for the whole archive if any entry is unsafe."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except zipfile.BadZipFile as exc:
        raise Rejected(f"压缩包已损坏：{exc}") from exc
    if len(infos) > limits.max_zip_entries:
        raise Rejected(f"压缩包文件过多：{len(infos)} 个，上限 {limits.max_zip_entries} 个")
    total = 0
    for info in infos:
        member = info.filename.replace("\\", "/")
        normalised = posixpath.normpath(member)
        if member.startswith("/") or normalised.startswith("..") or ":" in member.split("/")[0]:
            raise Rejected(f"压缩包含越出目录的路径：{info.filename}")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise Rejected(f"压缩包含符号链接：{info.filename}")
        if info.flag_bits & 0x1:
            raise Rejected(f"压缩包文件已加密：{info.filename}")
        total += info.file_size
        if total > limits.max_zip_bytes:
            raise Rejected("压缩包解压后过大")
        if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio:
            raise Rejected(f"压缩比异常，疑似压缩炸弹：{info.filename}")
    files = []
    for info in infos:
        with archive.open(info) as fh:
            content = fh.read(info.file_size + 1)
        if len(content) != info.file_size:
            raise Rejected(f"压缩包条目大小与声明不符：{info.filename}")
        files.append((f"{name}/{posixpath.normpath(info.filename)}", content))
    return files
