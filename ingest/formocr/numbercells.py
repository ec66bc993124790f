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

A wrong reading can pass the ID check: a digit too many whose first 18 happen to be a valid
ID (4228011986052583198 for 422801198605253198, about one time in 11) is no valid ID here
(``values.ID_RUN``); two errors that cancel out stay possible, and Tesseract is then unsure
of the cell. So a valid ID read with a confidence below ``ID_SURE`` is read a second time;
when both readings are valid and differ, the cell keeps Tesseract's and is a *doubt*: the
page lists it (``PageResult.unsure``) and extraction flags the field with both readings.
A date misread on a line (2023年3月了日) is mended the same way (:func:`reread_dates`).

A cell is recognised by what it holds (an 18-character run that is nearly all digits; a
number with at most a unit or two stray characters), not by its column: the forms print IDs
under 身份证号, 公民身份号码, 户主身份证号, and amounts under many headings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from archive.identifiers import is_valid_resident_id
from ingest.formocr import cellread
from ingest.formocr.textbox import text_box
from ingest.formocr.values import ID_FIX, ID_RUN

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
    v = _plain(text).translate(ID_FIX).upper()
    # 18 ID characters and at most one stray mark: a digit too many is no valid ID, even
    # when 18 of them are (values.ID_RUN).
    m = ID_RUN.search(v)
    if m is None or len(v) > 19:
        return None
    found = m.group(0)
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


# A reading this much wider per character than its text box is tall lost characters: the
# widest characters (Chinese) are about one height wide, digits about half.
TOO_WIDE = 1.6


def _thousands(text: str) -> bool:
    return bool(re.search(r"\d[,，]\d{3}", text))


def digit_reading(text: str) -> bool:
    """Digits with no Chinese character but the unit: what :func:`amount_doubt` looks at
    (tested first, before the cell's text box is measured)."""
    v = _plain(text)
    return any(c.isdigit() for c in v) and not _HAN.search(v.removesuffix("元"))


def amount_doubt(text: str, box: Sequence[int], page_thousands: bool) -> bool:
    """A cell reading that may be an amount misread although it passes (or escapes) the
    format check: a digit reading far too short for its text box (2,746.73 read as 73), or
    four or more digits before the point without the thousands comma every other amount on
    the page prints (21,291.09 read as 241291.09)."""
    if not digit_reading(text):
        return False
    v = _plain(text)
    width, height = box[2] - box[0], box[3] - box[1]
    if height > 0 and width / len(v) > TOO_WIDE * height:
        return True
    whole = v.removesuffix("元").split(".")[0]
    return page_thousands and valid_amount(v) is not None and whole.isdigit() and len(whole) > 3


def read_as(kind: str, probs: np.ndarray) -> str | None:
    """PP-OCR's reading of one cell when it passes the check of ``kind``, else None."""
    text, _ = cellread.decode(probs)
    return valid_id(text) if kind == "id" else valid_amount(text)


# Tesseract's confidence (0–100, its least sure word) below which a valid ID is read a
# second time. On the 77 pages of bench/ocr (2026-12-07) the wrong ID readings had 0, 23 and
# 33, the 243 valid ones 46 once, 58 once, 68 once, else 70 or more: one second reading in
# 77 pages. A wrong reading that passes the check needs errors that cancel out, and comes
# with a low confidence.
ID_SURE = 50.0


@dataclass
class Checked:
    """What :func:`check` found: readings taken (cell index → (text, its text box)), and
    cells whose two readings are both valid and differ (``{"cell", "kind", "readings"}``,
    Tesseract's first): they keep Tesseract's reading and are flagged, never decided."""

    found: dict[int, tuple[str, tuple[int, int, int, int]]] = field(default_factory=dict)
    doubts: list[dict] = field(default_factory=list)


def check(
    texts: dict[int, str],
    boxes: Sequence[Sequence[int]],
    clean: np.ndarray,
    ink: np.ndarray,
    dpi: float,
    confs: dict[int, float] | None = None,
) -> Checked:
    """Number cells read again by PP-OCR: those whose reading fails its check (a reading
    that passes is taken), and valid IDs Tesseract is unsure of (``confs``: its least
    confidence per cell, below ``ID_SURE``): a second valid reading that differs makes the
    cell a doubt."""
    confs = confs or {}
    inset = max(2, int(dpi * 0.008))
    pad = max(3, int(dpi * 0.015))
    page_thousands = any(valid_amount(t) and _thousands(t) for t in texts.values())
    jobs, crops = [], []
    for index, text in texts.items():
        kind = needs_reread(text)
        if kind is None and confs.get(index, 100.0) < ID_SURE and valid_id(text):
            kind = "second"
        box = None
        if kind is None and digit_reading(text) and not id_attempt(text):
            box = text_box(ink, boxes[index], inset, dpi)
            if box is not None and amount_doubt(text, box, page_thousands):
                kind = "doubted amount"
        if kind is None:
            continue
        box = box or text_box(ink, boxes[index], inset, dpi)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        crop = clean[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]
        jobs.append((index, kind, box))
        crops.append(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR))
    out = Checked()
    if not crops or not cellread.available():
        return out
    for (index, kind, box), probs in zip(jobs, cellread.probabilities(crops), strict=True):
        if kind == "doubted amount":
            # Taken only when PP-OCR reads a whole amount in the page's style where Tesseract
            # did not: longer than the short reading, with the comma the page prints.
            found = read_as("amount", probs)
            if found and _better_amount(found, texts[index]):
                out.found[index] = (found, box)
            continue
        found = read_as("id" if kind == "second" else kind, probs)
        if kind != "second":
            if found:
                out.found[index] = (found, box)
        elif found and found != valid_id(texts[index]):
            out.doubts.append(
                {"cell": index, "kind": "id", "readings": [valid_id(texts[index]), found]}
            )
    return out


def _better_amount(found: str, read: str) -> bool:
    """PP-OCR's valid amount over Tesseract's doubted reading: more digits (characters it
    lost), or the thousands comma the page prints where Tesseract read a digit instead."""
    more = sum(c.isdigit() for c in found) > sum(c.isdigit() for c in read)
    return more or (_thousands(found) and not _thousands(read))


# --- dates ----------------------------------------------------------------------------------

# A date as the forms write it, and anything shaped like one: four characters before 年,
# one or two before 月 and before 日, most of them digits (2023年3月了日: 7 read as 了).
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATE_SHAPE = re.compile(r"(\S{4})年(\S{1,2}?)月(\S{1,2}?)日")


def _is_date(year: str, month: str, day: str) -> bool:
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def bad_dates(text: str) -> list[re.Match]:
    """The places in ``text`` shaped like a date that are not one (a character not a digit,
    or no such day), with at least four of their characters read as digits."""
    out = []
    for m in _DATE_SHAPE.finditer(text or ""):
        parts = m.groups()
        digits = sum(c.isdigit() for c in "".join(parts))
        if digits >= 4 and not (DATE.fullmatch(m.group(0)) and _is_date(*parts)):
            out.append(m)
    return out


def _agrees(bad: re.Match, good: re.Match) -> bool:
    """Every part as long in both readings, and each digit Tesseract did read the same."""
    for a, b in zip(bad.groups(), good.groups(), strict=True):
        if len(a) != len(b) or any(x.isdigit() and x != y for x, y in zip(a, b, strict=True)):
            return False
    return True


def reread_dates(lines: Sequence[tuple[str, Sequence[int]]], clean: np.ndarray) -> dict[int, str]:
    """``{line index: its text with the date mended}`` for the lines (text, box) holding a
    date misread (``bad_dates``) whose reading by PP-OCR holds a valid date that agrees with
    every digit Tesseract read there: only the date is taken from it (PP-OCR may read the
    words around it worse: 核对报告 → 对报告). Dates decide an item's formation date
    (``ingest/dating.py``); one read neither way stays as read."""
    h, w = clean.shape
    jobs, crops = [], []
    for index, (text, box) in enumerate(lines):
        if not bad_dates(text):
            continue
        x0, y0, x1, y1 = box
        grow = (y1 - y0) // 4  # a character at either end kept
        crop = clean[max(0, y0 - grow) : min(h, y1 + grow), max(0, x0 - grow) : min(w, x1 + grow)]
        if crop.shape[0] < 4 or crop.shape[1] < 4:
            continue
        jobs.append(index)
        crops.append(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR))
    if not crops or not cellread.available():
        return {}
    out = {}
    for index, probs in zip(jobs, cellread.probabilities(crops), strict=True):
        second = [m for m in DATE.finditer(cellread.decode(probs)[0]) if _is_date(*m.groups())]
        text = lines[index][0]
        for bad in reversed(bad_dates(text)):  # from the end: earlier offsets stay right
            good = [m for m in second if _agrees(bad, m)]
            if len(good) == 1:
                text = text[: bad.start()] + good[0].group(0) + text[bad.end() :]
        if text != lines[index][0]:
            out[index] = text
    return out
