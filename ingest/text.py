"""Steps 4–6: clean OCR text, find identifiers in it, recognise the form by its title."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from archive import identifiers

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}{CJK_PUNCT}])[ \t]+(?=[{CJK}{CJK_PUNCT}])")
_SPACE_AROUND_COLON = re.compile(r"[ \t]*([:：])[ \t]*")
_MULTI_SPACE = re.compile(r"[ \t]{2,}")

_ID_CANDIDATE = re.compile(r"(?<![0-9])([1-8](?:[ ]?[0-9]){16}[ ]?[0-9Xx])(?![0-9])")
_REPORT = re.compile(
    r"第?\s*([0-9]{6}\s*[0-9]{4}\s*[0-9]{2}\s*[0-9]{5}\s*[a-z]{2}\s*[fst]\s*[0-9]+)\s*号"
)
_AUTHORIZATION = re.compile(r"居经授第\s*([0-9 ]{18,24})\s*号?")
_NAME = re.compile(rf"(?:姓\s*名|户\s*主|申请人)(?:姓名)?[:：]?\s*([{CJK}]{{2,4}})")
_DATE = re.compile(r"(20[0-9]{2}|19[0-9]{2})\s*年\s*([01]?[0-9])\s*月\s*([0-3]?[0-9])\s*日")
_LABEL_STARTS = (
    "身份",
    "性别",
    "与户",
    "联系",
    "家庭",
    "年龄",
    "民族",
    "住址",
    "电话",
    "关系",
    "申请",
)
# Full-width letters and digits (and the ideographic space) to ASCII; Chinese punctuation
# stays as written.
_WIDTH = {
    c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
_WIDTH[0x3000] = 0x20


def normalize_width(text: str) -> str:
    return text.translate(_WIDTH)


def _person_name(raw: str) -> str | None:
    for label in _LABEL_STARTS:
        cut = raw.find(label)
        if cut >= 0:
            raw = raw[:cut]
    return raw if len(raw) >= 2 else None


def clean_text(text: str) -> str:
    """Drop the spaces Tesseract puts between Chinese characters; full-width to ASCII."""
    text = normalize_width(text).replace("\r\n", "\n")
    lines = []
    for line in text.split("\n"):
        line = _SPACE_BETWEEN_CJK.sub("", line)
        line = _SPACE_AROUND_COLON.sub(r"\1", line)
        line = _MULTI_SPACE.sub(" ", line).strip()
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class Found:
    """Identifiers found in an item's text; only valid ones are kept."""

    resident_ids: tuple[str, ...] = ()
    report_numbers: tuple[str, ...] = ()
    authorization_numbers: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    dates: tuple[dt.date, ...] = ()

    def as_json(self) -> dict:
        return {
            "resident_ids": list(self.resident_ids),
            "report_numbers": list(self.report_numbers),
            "authorization_numbers": list(self.authorization_numbers),
            "names": list(self.names),
            "dates": [d.isoformat() for d in self.dates],
        }

    @property
    def empty(self) -> bool:
        return not (self.resident_ids or self.report_numbers or self.authorization_numbers)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def find_identifiers(pages: Sequence[str], today: dt.date | None = None) -> Found:
    text = "\n".join(pages)
    ids = []
    for match in _ID_CANDIDATE.finditer(text):
        candidate = match.group(1).replace(" ", "").upper()
        if identifiers.is_valid_resident_id(candidate, today=today):
            ids.append(candidate)
    reports = []
    for match in _REPORT.finditer(text):
        try:
            parsed = identifiers.parse_report_number(re.sub(r"\s", "", match.group(1)), today=today)
        except identifiers.IdentifierError:
            continue
        reports.append(parsed.value)
    authorizations = []
    for match in _AUTHORIZATION.finditer(text):
        digits = match.group(1).replace(" ", "")[:18]
        try:
            parsed = identifiers.parse_authorization_number(f"居经授第{digits}号", today=today)
        except identifiers.IdentifierError:
            continue
        authorizations.append(parsed.value)
    names = [n for m in _NAME.finditer(text) if (n := _person_name(m.group(1)))]
    dates = []
    for match in _DATE.finditer(text):
        try:
            dates.append(dt.date(*(int(g) for g in match.groups())))
        except ValueError:
            continue
    return Found(
        resident_ids=_unique(ids),
        report_numbers=_unique(reports),
        authorization_numbers=_unique(authorizations),
        names=_unique(names),
        dates=tuple(sorted(set(dates))),
    )


@dataclass(frozen=True)
class SubtypeRule:
    """A subtype recognised by keywords in a page's title area (data, not code)."""

    subtype_id: int
    category: str
    keywords: tuple[str, ...]


def recognise_subtype(
    pages: Sequence[str], rules: Sequence[SubtypeRule], head_chars: int = 120
) -> SubtypeRule | None:
    """The rule whose longest keyword appears nearest the top of the first page."""
    if not pages:
        return None
    head = re.sub(r"\s", "", pages[0])[:head_chars]
    best: tuple[int, int, SubtypeRule] | None = None
    for rule in rules:
        for keyword in rule.keywords:
            position = head.find(keyword)
            if position < 0:
                continue
            rank = (len(keyword), -position)
            if best is None or rank > best[:2]:
                best = (*rank, rule)
    return best[2] if best else None


def formation_date(found: Found, today: dt.date) -> dt.date | None:
    """The latest date written on the document that is not in the future."""
    past = [d for d in found.dates if d <= today]
    return past[-1] if past else None
