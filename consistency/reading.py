"""The paper side of a pair, read again by the consistency check itself.

The ingest OCR keeps the page text but not where each character is nor how sure the engine
was. Comparing paper with electronic needs both: a character Tesseract is unsure of must not
count as a mismatch, and each difference is shown as the page region it came from. So every
page image of a paper item is read here once more (Tesseract ``chi_sim``, word boxes and
confidences), and a region in doubt is re-read on its own, enlarged, as a second opinion.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from dataclasses import dataclass, field

from PIL import Image, ImageOps

LANG = "chi_sim"
CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"


def normalise(text: str) -> str:
    """Full width to half width (NFKC), no whitespace, no table rules read as bars."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s|]", "", text)


@dataclass
class Word:
    text: str  # normalised
    box: tuple[int, int, int, int]
    conf: float  # 0..100, Tesseract's word confidence


@dataclass
class PageReading:
    number: int  # 1-based paper page number
    width: int
    height: int
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "size": [self.width, self.height],
            "words": [[w.text, list(w.box), w.conf] for w in self.words],
        }

    @classmethod
    def from_json(cls, data: dict) -> PageReading:
        return cls(
            number=data["number"],
            width=data["size"][0],
            height=data["size"][1],
            words=[Word(t, tuple(b), float(c)) for t, b, c in data["words"]],
        )


def _tesseract(image: Image.Image, psm: int, extra: str = "") -> dict:
    import pytesseract

    os.environ["OMP_THREAD_LIMIT"] = "1"
    dpi = round((image.info.get("dpi") or (300, 300))[0]) or 300
    return pytesseract.image_to_data(
        image,
        lang=LANG,
        config=f"--psm {psm} --dpi {dpi} {extra}".strip(),
        output_type=pytesseract.Output.DICT,
    )


def read_page(image: Image.Image, number: int) -> PageReading:
    """Words of one page image in reading order, with boxes and confidences."""
    grey = ImageOps.grayscale(image)
    grey.info["dpi"] = image.info.get("dpi") or (300, 300)
    data = _tesseract(grey, 4)
    page = PageReading(number=number, width=grey.width, height=grey.height)
    for i, raw in enumerate(data["text"]):
        text = normalise(raw)
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        x, y, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
        page.words.append(Word(text, (x, y, x + w, y + h), conf))
    return page


def crop(
    image: Image.Image, box: tuple[int, int, int, int], pad: int = 24, pad_y: int | None = None
) -> Image.Image:
    x0, y0, x1, y1 = box
    py = pad if pad_y is None else pad_y
    return image.crop(
        (max(0, x0 - pad), max(0, y0 - py), min(image.width, x1 + pad), min(image.height, y1 + py))
    )


def reread(
    image: Image.Image, box: tuple[int, int, int, int], digits: bool
) -> list[tuple[str, float]]:
    """Second and third readings of one region, as one line each: enlarged twice, and
    binarised at its own size. ``[(text, confidence)]``."""
    dpi = round((image.info.get("dpi") or (300, 300))[0]) or 300
    # Little room above and below: a table's ruling lines there make a one-line read fail.
    region = ImageOps.grayscale(crop(image, box, pad=30, pad_y=6))
    big = region.resize((region.width * 2, region.height * 2), Image.LANCZOS)
    big.info["dpi"] = (dpi * 2, dpi * 2)
    bw = region.point(lambda v: 255 if v > 150 else 0)
    bw.info["dpi"] = (dpi, dpi)
    out = []
    for candidate in (big, bw):
        data = _tesseract(candidate, 7)
        words = [
            (normalise(t), float(c))
            for t, c in zip(data["text"], data["conf"], strict=False)
            if normalise(t) and float(c) >= 0
        ]
        text = "".join(t for t, _ in words)
        out.append((text, min((c for _, c in words), default=0.0)))
    return out


def snippet_png(image: Image.Image, box: tuple[int, int, int, int]) -> bytes:
    """The page region as a small PNG for the staff page (at most 900 px wide)."""
    region = crop(image, box, pad=30).convert("L")
    if region.width > 900:
        region = region.resize((900, round(region.height * 900 / region.width)))
    buf = io.BytesIO()
    region.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
