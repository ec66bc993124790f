"""Cell values as the templates type them (``types``): IDs, amounts, dates, report numbers.

A resident ID that fails its check (GB 11643: check character, birth date, region) is kept
as read and listed by :func:`unsure_ids`: the cell was read again already (``numbercells``),
so what is left is a person's call, not a guess.

An amount is a number only when the cell states one clearly; words ("子女每月给付赡养费约600元")
stay words, and a sentence naming several people's amounts gives each with its person
(:func:`amounts_by_person`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from archive.identifiers import IdentifierError, parse_resident_id
from ingest.formocr.templates import norm

# Letters Tesseract and PP-OCR read for digits in an ID (also ingest/formocr/numbercells.py).
ID_FIX = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "x": "X"}
)
# An ID's 18 characters, with no further digit on either side: a reading with a digit too
# many (4228011986052583198, an 8 read twice) holds a valid ID in its first 18 about one
# time in 11, and taking it would be a silent wrong value (docs/benchmarks.md "OCR").
ID_RUN = re.compile(r"(?<![\dX])\d{17}[\dX](?![\dX])")
CN_NUM = re.compile(r"[\d.,，]+")
WORDS = re.compile(r"[\u4e00-\u9fff]")
# "柯刚波务工月收入约2,300元": a person, what, and an amount, one per clause.
PERSON_AMOUNT = re.compile(
    r"(?P<person>[\u4e00-\u9fff]{2,4}?)(?=务工|月收入|年收入|收入|每月|每年|工资|经营|退休|养老|低保)"
    r"[^;；,，。]*?(?P<amount>\d[\d,，]*(?:\.\d+)?)元"
)


# --- values ---------------------------------------------------------------------------------


def is_prose(text: str) -> bool:
    """Words around the number: before it, or more than one character after it besides 元
    (one is a misread 元)."""
    v = norm(text)
    m = CN_NUM.search(v)
    if not m:
        return bool(WORDS.search(v))
    return (
        bool(WORDS.search(v[: m.start()])) or len(WORDS.findall(v[m.end() :].replace("元", ""))) > 1
    )


def convert(value: str, kind: str | None):
    v = norm(value)
    if kind in (None, "text"):
        return v
    if kind == "id":
        v = v.translate(ID_FIX)
        m = ID_RUN.search(v)
        return m.group(0) if m else v  # not one ID: kept as read, flagged (unsure_ids)
    if kind == "digits":
        return re.sub(r"\D", "", v.translate(ID_FIX))
    if kind == "int":
        m = re.search(r"\d+", v.translate(ID_FIX))
        return int(m.group(0)) if m else None
    if kind == "amount":
        if not v or v.startswith("无"):
            return "0.00" if v else None
        m = CN_NUM.search(v)
        if not m:
            # An amount cell without a digit says 无 (often misread alone); longer words
            # are kept as they were read.
            return "0.00" if len(v) <= 2 else v
        if is_prose(v):
            return v  # prose ("子女每月给付赡养费约600元"): the words, not a guessed amount
        number = m.group(0).replace("，", ",").strip(".,")
        if number.count(".") > 1:  # a thousands comma read as a dot
            head, _, tail = number.rpartition(".")
            number = f"{head.replace('.', '')}.{tail}"
        try:
            return f"{Decimal(number.replace(',', '')):.2f}"
        except InvalidOperation:
            return v
    if kind == "date":
        m = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", v)
        return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else v
    if kind == "report_number":
        v = v.translate(str.maketrans({"O": "0", "I": "1", "l": "1"}))
        m = re.search(r"第?\d{17}[a-z]{2}[fst]\d+号?", v)
        if not m:
            return v
        core = m.group(0).removeprefix("第").removesuffix("号")
        return f"第{core}号"
    return v


def amounts_by_person(text: str) -> list[dict]:
    """Each person's amount in a sentence naming several ("甲务工月收入约5,000元;乙…")."""
    out = []
    for m in PERSON_AMOUNT.finditer(norm(text)):
        amount = m["amount"].replace("，", ",").replace(",", "")
        try:
            out.append({"person": m["person"], "amount": f"{Decimal(amount):.2f}"})
        except InvalidOperation:
            continue
    return out


# The fields that hold resident IDs, whatever the table (members, roster rows, review rows).
ID_KEYS = ("id_number", "head_id")


def unsure_ids(fields: dict, doubts: dict[str, list[str]] | None = None) -> list[dict]:
    """``[{"path", "value", "reason"}]``: every ID field of the extracted ``fields`` that is
    read but is not a valid resident ID (the reason as ``parse_resident_id`` words it), and
    every one whose value two readings of its cell gave differently, both valid (``doubts``:
    the value as read → the readings, from the pages' ``unsure``; ``numbercells``)."""
    return _unsure(fields, doubts or {}, "")


def _unsure(fields, doubts: dict[str, list[str]], path: str) -> list[dict]:
    out: list[dict] = []
    items = fields.items() if isinstance(fields, dict) else enumerate(fields)
    for key, value in items:
        here = f"{path}/{key}" if path else str(key)
        if isinstance(value, (dict, list)):
            out += _unsure(value, doubts, here)
        elif key in ID_KEYS and isinstance(value, str) and value:
            try:
                parse_resident_id(value)
            except IdentifierError as exc:
                out.append({"path": here, "value": value, "reason": f"身份证号{exc.message}"})
                continue
            if value in doubts:
                readings = " / ".join(doubts[value])
                reason = f"身份证号两次识别不一致（{readings}），均为有效号码，请核对原件"
                out.append({"path": here, "value": value, "reason": reason})
    return out


def page_doubts(pages: list[dict]) -> dict[str, list[str]]:
    """The ID cells whose two readings disagreed (``numbercells``), by the value kept."""
    return {
        doubt["readings"][0]: doubt["readings"]
        for page in pages
        if page
        for doubt in page.get("unsure", [])
        if doubt.get("kind") == "id" and doubt.get("readings")
    }
