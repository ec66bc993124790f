"""Scanner and document-camera degradations for clean page images, seeded.

Every function returns a new image and leaves ``img.info["dpi"]`` set: the input's dpi (300
when it has none), or the new one after :func:`downsample` and :func:`camera_photo` (whose
dpi is the *effective* resolution of the page in the photo). ``degrade(img, preset, seed)``
applies a named preset:

=========  =================================================================================
clean      unchanged copy
scan       skew ±1°, light blur, greyscale, JPEG 85 (a flatbed/ADF office scan)
scan_bw    skew ±0.5°, greyscale, Otsu threshold to 1-bit (a fax-like black-and-white scan)
heavy      skew ±2°, blur, gaussian noise, JPEG 60 (a poor scan)
camera     a 高拍仪 / phone photo: perspective, uneven light, slight blur, JPEG 90, 12 MP
=========  =================================================================================
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

__all__ = [
    "PRESETS",
    "add_noise",
    "binarize",
    "blur",
    "camera_photo",
    "degrade",
    "downsample",
    "greyscale",
    "jpeg",
    "skew",
]

PRESETS = ("clean", "scan", "scan_bw", "heavy", "camera")
Seed = int | np.random.Generator | None


def _rng(seed: Seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def dpi_of(img: Image.Image, default: float = 300.0) -> float:
    dpi = img.info.get("dpi")
    return float(dpi[0]) if dpi else default


def _with_dpi(img: Image.Image, dpi: float) -> Image.Image:
    img.info["dpi"] = (round(dpi), round(dpi))
    return img


def _white(img: Image.Image) -> int | tuple[int, ...]:
    return {"1": 1, "L": 255, "RGB": (255, 255, 255), "RGBA": (255, 255, 255, 255)}.get(
        img.mode, 255
    )


def _array(img: Image.Image) -> tuple[np.ndarray, str]:
    """Pixels as uint8 (1-bit images become greyscale), with the mode to rebuild."""
    if img.mode in ("1", "P", "LA"):
        img = img.convert("L")
    elif img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    return np.asarray(img), img.mode


def _image(a: np.ndarray, mode: str, like: Image.Image, dpi: float) -> Image.Image:
    out = Image.fromarray(a, mode)
    if like.mode == "1":
        out = out.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)
    return _with_dpi(out, dpi)


def skew(img: Image.Image, angle: float) -> Image.Image:
    """Rotate by ``angle`` degrees (counter-clockwise) about the centre, as a page lying
    askew on the glass: same canvas size, white where the paper was not."""
    a, mode = _array(img)
    h, w = a.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    white = (255,) * (a.shape[2] if a.ndim == 3 else 1)
    out = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=white)
    return _image(out, mode, img, dpi_of(img))


def blur(img: Image.Image, radius: float) -> Image.Image:
    """Gaussian blur of standard deviation ``radius`` pixels *at 300 dpi* (scaled to the
    image's dpi)."""
    a, mode = _array(img)
    dpi = dpi_of(img)
    out = cv2.GaussianBlur(a, (0, 0), radius * dpi / 300)
    return _with_dpi(Image.fromarray(out, mode), dpi)


def add_noise(
    img: Image.Image, sigma: float, seed: Seed = None, specks: float = 0.0
) -> Image.Image:
    """Additive gaussian noise (``sigma`` in grey levels) plus, optionally, a fraction
    ``specks`` of pixels turned to dark dust specks."""
    rng = _rng(seed)
    a, mode = _array(img)
    noise = np.empty(a.shape[:2], np.int16)
    cv2.setRNGSeed(int(rng.integers(2**31)))
    cv2.randn(noise, 0, sigma)
    if a.ndim == 3:  # grey (luminance) noise, as a scanner's sensor gives
        noise = cv2.merge([noise] * a.shape[2])
    out = cv2.add(a, noise, dtype=cv2.CV_8U)
    if specks:
        ys, xs = np.nonzero(rng.random(a.shape[:2], dtype=np.float32) < specks)
        out[ys, xs] = (
            rng.integers(0, 90, len(ys), dtype=np.uint8)[:, None]
            if a.ndim == 3
            else (rng.integers(0, 90, len(ys), dtype=np.uint8))
        )
    return _with_dpi(Image.fromarray(out, mode), dpi_of(img))


def jpeg(img: Image.Image, quality: int = 85) -> Image.Image:
    """Encode as JPEG at ``quality`` and decode again (the artefacts stay)."""
    dpi = dpi_of(img)
    src = img.convert("L") if img.mode == "1" else img.convert("RGB") if img.mode == "RGBA" else img
    buf = io.BytesIO()
    src.save(buf, "JPEG", quality=quality, dpi=(round(dpi), round(dpi)))
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return _with_dpi(out, dpi)


def greyscale(img: Image.Image) -> Image.Image:
    return _with_dpi(img.convert("L"), dpi_of(img))


def binarize(img: Image.Image, method: str = "otsu", threshold: int = 160) -> Image.Image:
    """To 1-bit: ``otsu`` (automatic threshold), ``threshold`` (fixed), or ``dither``
    (Floyd–Steinberg, as cheap scanners do for photos)."""
    dpi = dpi_of(img)
    grey = img.convert("L")
    if method == "dither":
        out = grey.convert("1", dither=Image.Dither.FLOYDSTEINBERG)
    else:
        a = np.asarray(grey)
        if method == "otsu":
            threshold, _ = cv2.threshold(a, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        elif method != "threshold":
            raise ValueError(f"unknown binarization {method!r}")
        out = Image.fromarray(((a >= threshold) * 255).astype(np.uint8), "L").convert(
            "1", dither=Image.Dither.NONE
        )
    return _with_dpi(out, dpi)


def downsample(img: Image.Image, dpi: float) -> Image.Image:
    """Resample to ``dpi`` (from the image's own dpi)."""
    src_dpi = dpi_of(img)
    f = dpi / src_dpi
    size = (max(1, round(img.width * f)), max(1, round(img.height * f)))
    src = img.convert("L") if img.mode == "1" else img
    out = src.resize(size, Image.Resampling.LANCZOS)
    if img.mode == "1":
        out = out.point(lambda v: 255 if v >= 128 else 0).convert("1")
    return _with_dpi(out, dpi)


def camera_photo(
    img: Image.Image, seed: Seed = None, megapixels: float = 12.0, fill: float = 0.86
) -> Image.Image:
    """The page photographed from above by a document camera (高拍仪) or phone: a 4:3 frame
    of ``megapixels`` (oriented like the page), the page covering about ``fill`` of the
    frame height, with a perspective tilt, a small rotation, uneven lighting and a colour
    cast over a grey desk, slight blur, sensor noise and JPEG 90. The page's corners in the
    photo are left in ``info["page_corners"]`` (TL, TR, BR, BL as (x, y))."""
    rng = _rng(seed)
    src_dpi = dpi_of(img)
    page = np.asarray(img.convert("RGB"))
    ph, pw = page.shape[:2]
    long_side = round(np.sqrt(megapixels * 1e6 * 4 / 3))
    short_side = round(long_side * 3 / 4)
    fw, fh = (short_side, long_side) if ph >= pw else (long_side, short_side)
    scale = min(fh * fill / ph, fw * fill / pw)
    w, h = pw * scale, ph * scale
    cx, cy = fw / 2 + rng.uniform(-0.03, 0.03) * fw, fh / 2 + rng.uniform(-0.03, 0.03) * fh
    theta = np.deg2rad(rng.uniform(-3, 3))
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    corners *= 1 + np.array([[1, 1], [1, 1], [-1, -1], [-1, -1]]) * rng.uniform(-0.025, 0.025)
    corners += rng.uniform(-0.018, 0.018, (4, 2)) * [w, h]  # perspective: corners move apart
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    dst = (corners @ rot.T + [cx, cy]).astype(np.float32)
    # Pre-shrink with a proper filter, then warp (warpPerspective only interpolates) onto
    # a blotchy grey desk.
    pre = cv2.resize(page, (round(w), round(h)), interpolation=cv2.INTER_AREA)
    src = np.array([[0, 0], [pre.shape[1], 0], [pre.shape[1], pre.shape[0]], [0, pre.shape[0]]])
    m = cv2.getPerspectiveTransform(src.astype(np.float32), dst)
    desk = rng.uniform(60, 110, 3) + rng.normal(0, 5, (fh // 16, fw // 16, 1))
    photo = cv2.resize(np.clip(desk, 0, 255).astype(np.uint8), (fw, fh))
    cv2.warpPerspective(
        pre, m, (fw, fh), dst=photo, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT
    )
    # Uneven light: a tilted plane times a vignette, and a slight colour cast (computed
    # coarse, applied as an 8-bit gain: gain 200 = 1.0).
    yy, xx = np.mgrid[0 : fh // 16, 0 : fw // 16].astype(np.float32)
    xn, yn = xx / (fw // 16) - 0.5, yy / (fh // 16) - 0.5
    gx, gy = rng.uniform(-0.25, 0.25, 2)
    light = (0.97 + gx * xn + gy * yn) * (1 - 0.35 * (xn**2 + yn**2)) * rng.uniform(0.92, 1.0)
    cast = np.array([1.0, rng.uniform(0.97, 1.0), rng.uniform(0.9, 0.98)], np.float32)
    gain = np.clip(light[..., None] * cast * 200, 0, 255).astype(np.uint8)
    gain = cv2.resize(gain, (fw, fh), interpolation=cv2.INTER_LINEAR)
    photo = cv2.multiply(
        cv2.GaussianBlur(photo, (0, 0), rng.uniform(0.6, 1.1)), gain, scale=1 / 200
    )
    noise = np.empty(photo.shape, np.int16)
    cv2.setRNGSeed(int(rng.integers(2**31)))
    cv2.randn(noise, 0, 2.5)
    out = Image.fromarray(cv2.add(photo, noise, dtype=cv2.CV_8U), "RGB")
    eff_dpi = src_dpi * float(np.linalg.norm(dst[3] - dst[0])) / ph
    out = jpeg(_with_dpi(out, eff_dpi), 90)
    out.info["page_corners"] = [tuple(map(float, p)) for p in dst]
    return out


def degrade(img: Image.Image, preset: str = "scan", seed: Seed = 0) -> Image.Image:
    """Apply a named preset (:data:`PRESETS`) with a seeded RNG (same seed, same result)."""
    rng = _rng(seed)
    sign = 1.0 if rng.random() < 0.5 else -1.0
    if preset == "clean":
        return _with_dpi(img.copy(), dpi_of(img))
    if preset == "scan":
        return jpeg(blur(skew(greyscale(img), sign * 1.0), 0.45), 85)
    if preset == "scan_bw":
        return binarize(greyscale(skew(img, sign * 0.5)), "otsu")
    if preset == "heavy":
        out = blur(skew(img, sign * 2.0), 1.2)
        return jpeg(add_noise(out, 12.0, rng, specks=0.0005), 60)
    if preset == "camera":
        return camera_photo(img, rng)
    raise ValueError(f"unknown preset {preset!r}; expected one of {', '.join(PRESETS)}")
