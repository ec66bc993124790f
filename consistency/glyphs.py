"""Which of two texts the page region looks like: a visual check for Chinese characters.

Tesseract confuses some Chinese characters confidently and the same way on every reading
(熊 read as 能). Where the readings say the paper differs from the electronic value in a
Chinese character, both texts are drawn in the archive's CJK font at the region's size and
compared with the scanned region: the paper differs only when it looks clearly more like
what was read than like the electronic value.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
MARGIN = 0.04  # how much better the read text must match than the electronic one


@lru_cache(maxsize=32)
def _font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_PATH, px, index=0)


def _ink(image: Image.Image) -> np.ndarray | None:
    """The image binarised (ink = 1) and cut to its ink."""
    a = np.asarray(ImageOps.grayscale(image), dtype=np.uint8)
    if a.size == 0:
        return None
    threshold = min(200, int(a.mean() - 0.35 * a.std())) if a.std() > 0 else 128
    ink = (a < threshold).astype(np.float32)
    ys, xs = np.nonzero(ink)
    if len(xs) == 0:
        return None
    return ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _drawn(text: str, height: int) -> Image.Image:
    font = _font(max(8, height))
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right - left + 8, bottom - top + 8), 255)
    ImageDraw.Draw(image).text((4 - left, 4 - top), text, font=font, fill=0)
    return image


def _score(region: np.ndarray, text: str) -> float:
    """Similarity (0..1) of the region's ink to ``text`` drawn to the same box."""
    drawn = _ink(_drawn(text, region.shape[0]))
    if drawn is None:
        return 0.0
    h, w = region.shape
    resized = (
        np.asarray(
            Image.fromarray((drawn * 255).astype(np.uint8)).resize((w, h), Image.BILINEAR),
            dtype=np.float32,
        )
        / 255.0
    )
    # Blur both a little: a scan's strokes are never where a drawing's are to the pixel.
    import cv2

    a = cv2.GaussianBlur(region, (0, 0), max(1.0, h / 30))
    b = cv2.GaussianBlur(resized, (0, 0), max(1.0, h / 30))
    a, b = a - a.mean(), b - b.mean()
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denominator) if denominator else 0.0


def looks_like(image: Image.Image, box: tuple[int, int, int, int], read: str, electronic: str):
    """``(read_score, electronic_score)``: how well the region matches each text."""
    region = _ink(image.crop(box))
    if region is None:
        return 0.0, 0.0
    return _score(region, read), _score(region, electronic)


def paper_differs(image, box, read: str, electronic: str) -> tuple[bool, dict]:
    read_score, electronic_score = looks_like(image, box, read, electronic)
    detail = {"glyph_read": round(read_score, 3), "glyph_electronic": round(electronic_score, 3)}
    return read_score > electronic_score + MARGIN, detail
