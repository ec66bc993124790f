"""Resident-ID cells checked by their check digit, and read again when it fails.

A resident ID (GB 11643) is 17 digits and a check character computed from them, so a
misread digit almost always shows: the reading is no valid ID. Such a cell is read again by
PP-OCRv4 (``cellread``), whose errors are not Tesseract's, and its reading is taken only
when it is itself a valid ID (check character, birth date, region code): either as PP-OCR
reads it, or as it reads it when only digits and X may be read (a 0 that looks like an O).
Otherwise the cell keeps what Tesseract read, and extraction flags the field as unsure
(``values.unsure_ids``): no ID is made up that is not on the page.

An ID cell is found by what it holds (an 18-character run that is nearly all digits), not by
its column: the forms print IDs under 身份证号, 公民身份号码, 户主身份证号 and more.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import cv2
import numpy as np

from archive.identifiers import is_valid_resident_id
from ingest.formocr import cellread

# Letters Tesseract and PP-OCR read for digits in an ID (the same as ``values.ID_FIX``).
_FIX = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "x": "X"}
)
_ID = re.compile(r"\d{17}[\dX]")


def id_attempt(text: str) -> bool:
    """Whether a cell's text is meant as a resident ID: 16 to 20 characters besides spaces,
    at most two of them not digits (after the letter-for-digit fixes)."""
    v = re.sub(r"\s", "", text or "").translate(_FIX)
    if not 16 <= len(v) <= 20:
        return False
    return sum(not c.isdigit() for c in v[:-1]) <= 2


def valid_id(text: str) -> str | None:
    """The valid resident ID ``text`` holds (after the letter-for-digit fixes), or None."""
    v = re.sub(r"\s", "", text or "").translate(_FIX)
    m = _ID.search(v)
    if m and len(v) <= 19 and is_valid_resident_id(m.group(0)):
        return m.group(0)
    return None


def needs_reread(text: str) -> bool:
    """An ID cell whose reading is not a valid ID."""
    return id_attempt(text) and valid_id(text) is None


def _trim(ink: np.ndarray, box: Sequence[int], inset: int) -> tuple[int, int, int, int] | None:
    """The box of the ink inside a cell (specks of under 6 pixels ignored)."""
    x0, y0, x1, y1 = box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset
    if x1 <= x0 or y1 <= y0:
        return None
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink[y0:y1, x0:x1], connectivity=8)
    keep = [i for i in range(1, n) if stats[i][4] >= 6]
    if not keep:
        return None
    return (
        x0 + min(int(stats[i][0]) for i in keep),
        y0 + min(int(stats[i][1]) for i in keep),
        x0 + max(int(stats[i][0] + stats[i][2]) for i in keep),
        y0 + max(int(stats[i][1] + stats[i][3]) for i in keep),
    )


def read_as_id(probs: np.ndarray) -> str | None:
    """A valid ID from PP-OCR's output for one cell, or None."""
    text, _ = cellread.decode(probs)
    return valid_id(text)


def reread(
    texts: dict[int, str],
    boxes: Sequence[Sequence[int]],
    clean: np.ndarray,
    ink: np.ndarray,
    dpi: float,
) -> dict[int, tuple[str, tuple[int, int, int, int]]]:
    """``{cell index: (valid ID, its ink box)}`` for the cells of ``texts`` (index → what
    Tesseract read) whose reading fails the ID check and whose PP-OCR reading passes it."""
    inset = max(2, int(dpi * 0.008))
    pad = max(3, int(dpi * 0.015))
    jobs, crops = [], []
    for index, text in texts.items():
        if not needs_reread(text):
            continue
        box = _trim(ink, boxes[index], inset)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        crop = clean[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]
        jobs.append((index, box))
        crops.append(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR))
    if not crops or not cellread.available():
        return {}
    out = {}
    for (index, box), probs in zip(jobs, cellread.probabilities(crops), strict=True):
        found = read_as_id(probs)
        if found:
            out[index] = (found, box)
    return out
