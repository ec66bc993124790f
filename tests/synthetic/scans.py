"""Write page images to disk as a network scanner or document camera would drop them into a
hot folder: multi-page TIFF, JPEG, PNG, or an image-only PDF (via img2pdf, resolution kept).

The resolution written is ``dpi`` when given, else each image's ``info["dpi"]``, else 300.
By default files are written atomically (to a hidden temporary name in the same folder,
then renamed), so a folder watcher never sees half a file; ``atomic=False`` writes in place.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PIL import Image

__all__ = ["write_jpeg", "write_pages", "write_pdf_from_images", "write_png", "write_tiff"]

PathLike = str | os.PathLike[str]


def _dpi(img: Image.Image, dpi: float | None) -> int:
    if dpi:
        return round(dpi)
    info = img.info.get("dpi")
    return round(info[0]) if info else 300


def _write(path: PathLike, produce: Callable[[io.BufferedWriter], None], atomic: bool) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    target = path.with_name(f".{path.name}.part") if atomic else path
    with open(target, "w+b") as fh:  # multi-page TIFF writers read back what they wrote
        produce(fh)
        fh.flush()
        os.fsync(fh.fileno())
    if atomic:
        os.replace(target, path)
    return path


def _as_list(images: Image.Image | Iterable[Image.Image]) -> list[Image.Image]:
    return [images] if isinstance(images, Image.Image) else list(images)


def write_tiff(
    images: Image.Image | Sequence[Image.Image],
    path: PathLike,
    dpi: float | None = None,
    compression: str | None = None,
    atomic: bool = True,
) -> Path:
    """A (multi-page) TIFF, one page per image. Compression: CCITT Group 4 when every page
    is 1-bit, else LZW (lossless); or as given (``"tiff_lzw"``, ``"group4"``, ``"jpeg"``,
    ``"raw"``…)."""
    pages = _as_list(images)
    if not pages:
        raise ValueError("no images to write")
    if compression is None:
        compression = "group4" if all(p.mode == "1" for p in pages) else "tiff_lzw"
    d = _dpi(pages[0], dpi)

    def produce(fh) -> None:
        pages[0].save(
            fh,
            "TIFF",
            save_all=True,
            append_images=pages[1:],
            compression=compression,
            dpi=(d, d),
            resolution_unit=2,  # inches
        )

    return _write(path, produce, atomic)


def write_jpeg(
    image: Image.Image,
    path: PathLike,
    dpi: float | None = None,
    quality: int = 90,
    atomic: bool = True,
) -> Path:
    """One JPEG (1-bit images are written as greyscale)."""
    d = _dpi(image, dpi)
    img = image.convert("L") if image.mode == "1" else image
    img = img.convert("RGB") if img.mode not in ("L", "RGB", "CMYK") else img
    return _write(path, lambda fh: img.save(fh, "JPEG", quality=quality, dpi=(d, d)), atomic)


def write_png(
    image: Image.Image, path: PathLike, dpi: float | None = None, atomic: bool = True
) -> Path:
    """One PNG (lossless; 1-bit stays 1-bit)."""
    d = _dpi(image, dpi)
    return _write(path, lambda fh: image.save(fh, "PNG", dpi=(d, d), optimize=False), atomic)


def _pdf_image_bytes(img: Image.Image, d: int, quality: int, lossless: bool) -> bytes:
    buf = io.BytesIO()
    if img.mode == "1":  # img2pdf embeds CCITT G4 TIFF data as is
        img.save(buf, "TIFF", compression="group4", dpi=(d, d))
    elif lossless:
        (img if img.mode in ("L", "RGB") else img.convert("RGB")).save(buf, "PNG", dpi=(d, d))
    else:
        (img if img.mode in ("L", "RGB") else img.convert("RGB")).save(
            buf, "JPEG", quality=quality, dpi=(d, d)
        )
    return buf.getvalue()


def write_pdf_from_images(
    images: Image.Image | Sequence[Image.Image],
    path: PathLike,
    dpi: float | None = None,
    quality: int = 90,
    lossless: bool = False,
    atomic: bool = True,
) -> Path:
    """An image-only PDF (no text layer), one page per image, each page sized from its
    pixels and dpi (so an A4 scan gives an A4 page). Greyscale/colour pages are embedded as
    JPEG (``quality``) or, with ``lossless``, PNG/Flate; 1-bit pages as CCITT G4."""
    import img2pdf

    pages = _as_list(images)
    if not pages:
        raise ValueError("no images to write")
    blobs = []
    for p in pages:
        d = _dpi(p, dpi)
        blobs.append(_pdf_image_bytes(p, d, quality, lossless))
    kwargs = {}
    if dpi:
        kwargs["layout_fun"] = img2pdf.get_fixed_dpi_layout_fun((round(dpi), round(dpi)))
    data = img2pdf.convert(blobs, **kwargs)
    return _write(path, lambda fh: fh.write(data), atomic)


def write_pages(
    images: Sequence[Image.Image],
    directory: PathLike,
    stem: str,
    fmt: str = "jpeg",
    dpi: float | None = None,
    start: int = 1,
    atomic: bool = True,
) -> list[Path]:
    """One file per page named ``{stem}-{seq:04d}.{ext}`` (DA/T 31: 档号 + sequence), e.g.
    ``write_pages(imgs, folder, "Z420102-HD·2024-D10-GC-0001")``. ``fmt``: jpeg, png, tiff."""
    writers = {"jpeg": (write_jpeg, "jpg"), "png": (write_png, "png"), "tiff": (write_tiff, "tif")}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; expected jpeg, png or tiff")
    writer, ext = writers[fmt]
    out = []
    for i, img in enumerate(images, start=start):
        out.append(writer(img, Path(directory) / f"{stem}-{i:04d}.{ext}", dpi=dpi, atomic=atomic))
    return out
