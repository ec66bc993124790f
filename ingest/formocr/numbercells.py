"""Cells holding a number whose format can be checked, read again when the reading fails it.

* A resident ID (GB 11643) is 17 digits and a check character computed from them, so a
  misread digit almost always shows: the reading is no valid ID (check character, birth
  date, region code).
* An amount is printed as ``7,212.23元`` or ``600元``: digits with thousands commas, two
  decimals, the unit. Tesseract alone sometimes reads the unit as letters and loses a digit
  (``242.237C``), and a line without a Chinese character is not among the unsure lines that
  ``recognise`` has PP-OCR read again.

Such a cell is read again by PP-OCRv4 (``cellread``), whose errors are not Tesseract's, on a
crop of the text itself (a heavy scan's specks all over the cell left out: on a crop as wide
as the cell, PP-OCR read 212.23元 for 7,212.23元). The reading is taken only when it passes
the same check: a valid ID, an amount in its format. Otherwise the cell keeps what Tesseract
read; an ID left invalid is flagged by extraction (``values.unsure_ids``). No number is made
up that is not on the page.

A cell is recognised by what it holds (an 18-character run that is nearly all digits; a
number with at most a unit or two stray characters), not by its column: the forms print IDs
under 身份证号, 公民身份号码, 户主身份证号, and amounts under many headings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import cv2
import numpy as np

from archive.identifiers import is_valid_resident_id
from ingest.formocr import cellread
from ingest.formocr.textbox import text_box
from ingest.formocr.values import ID_FIX

_ID = re.compile(r"\d{17}[\dxX]")
# An amount as printed: 7,212.23元 / 7212.23 / 600元 (a thousands comma may be read as a dot
# or a full-width comma; ``values.convert`` reads those the same).
AMOUNT = re.compile(r"\d{1,3}(?:[,，.]\d{3})*(?:\.\d{2})?元?|\d+(?:\.\d{2})?元?")
_HAN = re.compile(r"[\u3400-\u9fff]")


def _plain(text: str) -> str:
    return re.sub(r"\s", "", text or "")


def id_attempt(text: str) -> bool:
    """Whether a cell's text is meant as a resident ID: 16 to 20 characters besides spaces,
    at most two of the first 17 not digits (after the letter-for-digit fixes)."""
    v = _plain(text).translate(ID_FIX)
    if not 16 <= len(v) <= 20:
        return False
    return sum(not c.isdigit() for c in v[:17]) <= 2


def valid_id(text: str) -> str | None:
    """The valid resident ID ``text`` holds (after the letter-for-digit fixes), or None."""
    v = _plain(text).translate(ID_FIX)
    m = _ID.search(v)
    if m is None or len(v) > 19:
        return None
    found = m.group(0).upper()
    return found if is_valid_resident_id(found) else None


def amount_attempt(text: str) -> bool:
    """Whether a cell's text is meant as an amount: three or more digits, no Chinese
    character but the unit at the end, at most two other characters besides digits and
    separators."""
    v = _plain(text)
    if id_attempt(v) or sum(c.isdigit() for c in v) < 3:
        return False
    # One Chinese character at the end is the unit, misread or not (元 → 兀); others are
    # words: a sentence with a number, or a date, is not an amount cell.
    body = v[:-1] if _HAN.match(v[-1]) else v
    if _HAN.search(body):
        return False
    return sum(not (c.isdigit() or c in ",，.") for c in body) <= 2


def valid_amount(text: str) -> str | None:
    """``text`` when it is an amount in the printed format, else None."""
    v = _plain(text)
    return v if AMOUNT.fullmatch(v) else None


def needs_reread(text: str) -> str | None:
    """``"id"`` or ``"amount"`` for a cell whose reading is meant as one and fails its check,
    else None."""
    if id_attempt(text):
        return "id" if valid_id(text) is None else None
    if amount_attempt(text):
        return "amount" if valid_amount(text) is None else None
    return None


def read_as(kind: str, probs: np.ndarray) -> str | None:
    """PP-OCR's reading of one cell when it passes the check of ``kind``, else None."""
    text, _ = cellread.decode(probs)
    return valid_id(text) if kind == "id" else valid_amount(text)


def reread(
    texts: dict[int, str],
    boxes: Sequence[Sequence[int]],
    clean: np.ndarray,
    ink: np.ndarray,
    dpi: float,
) -> dict[int, tuple[str, tuple[int, int, int, int]]]:
    """``{cell index: (reading, its text box)}`` for the cells of ``texts`` (index → what
    Tesseract read) whose reading fails its check and whose PP-OCR reading passes it."""
    inset = max(2, int(dpi * 0.008))
    pad = max(3, int(dpi * 0.015))
    jobs, crops = [], []
    for index, text in texts.items():
        kind = needs_reread(text)
        if kind is None:
            continue
        box = text_box(ink, boxes[index], inset, dpi)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        crop = clean[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]
        jobs.append((index, kind, box))
        crops.append(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR))
    if not crops or not cellread.available():
        return {}
    out = {}
    for (index, kind, box), probs in zip(jobs, cellread.probabilities(crops), strict=True):
        found = read_as(kind, probs)
        if found:
            out[index] = (found, box)
    return out
