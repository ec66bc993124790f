"""Field-by-field comparison of an electronic record with the paper reading of its printed copy.

Both sides become one normalised string (full width to half width, no whitespace) aligned by
``difflib``. The electronic string is cut into fields: report and authorization numbers,
resident IDs, dates, amounts, other numbers, and the names of the household's people. Where
the alignment says the paper differs inside a field, the paper region is read a second time
on its own (:func:`consistency.reading.reread`); a difference counts only when that second
reading agrees with the first and not with the electronic value. A character the engine
misread once is usually read right the second time, so OCR noise raises nothing, while a
digit really changed on paper reads the same twice and is caught. Differences in plain text
(a table row's result) count only when a run of several characters is read the same, with
high confidence, twice.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PIL import Image

from consistency.reading import PageReading, normalise, reread, snippet_png

FIELD_PATTERNS = (
    ("report_number", r"第\d{17}[a-z]{2}[fst]\d+号"),
    ("authorization_number", r"居经授第\d+号"),
    ("id_number", r"(?<![\dX])\d{17}[\dX](?![\dX])"),
    ("date", r"\d{4}年\d{1,2}月\d{1,2}日"),
    ("amount", r"\d{1,3}(?:,\d{3})+(?:\.\d{2})?|\d+\.\d{2}"),
    ("number", r"\d+"),
)
FIELD_LABELS = {
    "report_number": "报告编号",
    "authorization_number": "授权书编号",
    "id_number": "身份证号",
    "date": "日期",
    "amount": "金额",
    "number": "数字",
    "name": "姓名",
    "text": "结果描述",
    "page_count": "页数",
    "files": "文件",
    "page_image": "页图像",
    "paper_copy": "纸质件",
    "item_number": "件号",
}
NUMERIC = {"report_number", "authorization_number", "id_number", "date", "amount", "number"}
# Letters Tesseract gives for digits in a numeric field; mapped before comparing.
DIGIT_FIX = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "x": "X", "，": ","}
)
TEXT_MIN_RUN = 4  # plain-text differences shorter than this are taken as OCR noise
TEXT_MIN_CONF = 90.0


@dataclass
class Difference:
    field: str  # one of FIELD_LABELS
    paper: str
    electronic: str
    page: int | None  # paper page (1-based)
    electronic_page: int | None
    confidence: float  # 0..1: how sure the check is that the paper really says this
    box: tuple[int, int, int, int] | None = None
    snippet: bytes = b""
    context: str = ""  # e.g. the person whose ID differs
    raised: bool = True  # False: a doubt the check resolved as OCR noise (kept for the count)
    detail: dict = field(default_factory=dict)


@dataclass
class Span:
    kind: str
    start: int
    end: int


def field_spans(text: str, names: Sequence[str]) -> list[Span]:
    """The fields of the electronic string, left to right, not overlapping."""
    taken = [False] * len(text)
    spans: list[Span] = []

    def claim(kind: str, start: int, end: int) -> None:
        if start < end and not any(taken[start:end]):
            for k in range(start, end):
                taken[k] = True
            spans.append(Span(kind, start, end))

    for kind, pattern in FIELD_PATTERNS:
        for m in re.finditer(pattern, text):
            claim(kind, m.start(), m.end())
    for name in sorted({n for n in names if len(n) >= 2}, key=len, reverse=True):
        for m in re.finditer(re.escape(name), text):
            claim("name", m.start(), m.end())
    return sorted(spans, key=lambda s: s.start)


def _fix(kind: str, value: str) -> str:
    return value.translate(DIGIT_FIX) if kind in NUMERIC else value


class _Aligned:
    """Electronic positions mapped onto the paper string."""

    def __init__(self, electronic: str, paper: str):
        matcher = difflib.SequenceMatcher(None, electronic, paper, autojunk=False)
        self.ops = matcher.get_opcodes()

    def start(self, i: int) -> int:
        for tag, i1, i2, j1, _ in self.ops:
            if i1 <= i < i2:
                return j1 + (i - i1) if tag == "equal" else j1
        return self.ops[-1][4] if self.ops else 0

    def end(self, i: int) -> int:
        for tag, i1, i2, j1, j2 in self.ops:
            if i1 <= i - 1 < i2:
                return j1 + (i - i1) if tag == "equal" else j2
        return self.ops[-1][4] if self.ops else 0


@dataclass
class PaperSide:
    pages: list[PageReading]
    image: Callable[[int], Image.Image | None]  # paper page number → its image

    def string(self) -> tuple[str, list[tuple[int, int]]]:
        chars, where = [], []
        for p_index, page in enumerate(self.pages):
            for w_index, word in enumerate(page.words):
                chars.append(word.text)
                where.extend([(p_index, w_index)] * len(word.text))
        return "".join(chars), where


def compare(
    electronic_pages: Sequence[str], names: Sequence[str], paper: PaperSide
) -> list[Difference]:
    """Every field where the paper differs from the electronic record (and the doubts)."""
    e_parts = [normalise(t) for t in electronic_pages]
    e_text = "".join(e_parts)
    e_page = [n for n, part in enumerate(e_parts, start=1) for _ in part]
    p_text, p_where = paper.string()
    if not e_text or not p_text:
        return []
    aligned = _Aligned(e_text, p_text)
    spans = field_spans(e_text, names)
    out: list[Difference] = []
    for span in spans:
        ps, pe = aligned.start(span.start), aligned.end(span.end)
        e_value = e_text[span.start : span.end]
        p_value = p_text[ps:pe] if pe > ps else ""
        if _fix(span.kind, p_value) == e_value:
            continue
        diff = _judge(span.kind, e_value, p_value, ps, pe, p_where, paper)
        diff.electronic_page = e_page[span.start]
        diff.context = _context(e_text, spans, span)
        out.append(diff)
    out += _text_differences(e_text, e_page, p_text, p_where, aligned, spans, paper)
    return _unique(out)


def _words_box(paper: PaperSide, where: list[tuple[int, int]], ps: int, pe: int):
    """Page index, union box and lowest confidence of the paper words of [ps, pe)."""
    if pe <= ps:
        ps, pe = max(0, ps - 1), min(len(where), ps + 1)
    hits = sorted(set(where[ps:pe]))
    if not hits:
        return None, None, 0.0
    page_index = hits[0][0]
    words = [paper.pages[p].words[w] for p, w in hits if p == page_index]
    box = (
        min(w.box[0] for w in words),
        min(w.box[1] for w in words),
        max(w.box[2] for w in words),
        max(w.box[3] for w in words),
    )
    return page_index, box, min(w.conf for w in words)


def _judge(kind, e_value, p_value, ps, pe, p_where, paper: PaperSide) -> Difference:
    page_index, box, conf = _words_box(paper, p_where, ps, pe)
    page_no = paper.pages[page_index].number if page_index is not None else None
    diff = Difference(kind, p_value, e_value, page_no, None, 0.0, box)
    image = paper.image(page_no) if page_no is not None else None
    if image is None or box is None or not p_value:
        # Nothing read where the field should be: an OCR gap, not evidence of a difference.
        diff.raised = False
        diff.detail = {"why": "纸质相应位置未识别出文字"}
        return diff
    reads = [(_fix(kind, t), c) for t, c in reread(image, box, kind in NUMERIC)]
    p_fixed = _fix(kind, p_value)
    diff.detail = {
        "first_read": p_value,
        "other_reads": [t for t, _ in reads],
        "ocr_confidence": conf,
    }
    others = [t for t, _ in reads]
    if kind in NUMERIC:
        # Digits: Tesseract reads them reliably, but a re-read of a small region now and
        # then drops a digit at its edge. Two readings of three saying the same, and none
        # saying the electronic value, is a difference.
        agree = not any(e_value in r for r in others) and any(p_fixed in r for r in others)
        confirmed = p_fixed if agree else None
    else:
        confirmed = _confirmed(e_value, p_fixed, others)
    if confirmed is None:
        diff.raised = False  # a reading agrees with the electronic value, or the readings
        return diff  # disagree among themselves: the engine is unsure, not a mismatch
    if kind not in NUMERIC:
        # Chinese characters: the page region must look like what was read, not like the
        # electronic value (Tesseract confuses some characters the same way every time).
        from consistency.glyphs import paper_differs

        words = _covered_text(paper, p_where, ps, pe)
        if words is not None:
            text, start = words
            as_read = text[:start] + p_value + text[start + len(p_value) :]
            as_electronic = text[:start] + e_value + text[start + len(p_value) :]
            differs, glyphs = paper_differs(image, box, as_read, as_electronic)
            diff.detail.update(glyphs)
            if not differs:
                diff.raised = False
                return diff
    diff.paper = confirmed
    diff.confidence = round(min([conf, *(c for _, c in reads)]) / 100, 2) or 0.01
    if kind == "id_number":
        from archive.identifiers import resident_id_check_char

        ok = len(confirmed) == 18 and resident_id_check_char(confirmed[:17]) == confirmed[17]
        diff.detail["paper_check_digit_valid"] = ok
    diff.snippet = snippet_png(image, box)
    return diff


def _covered_text(paper: PaperSide, where, ps: int, pe: int) -> tuple[str, int] | None:
    """The text of the paper words covering [ps, pe) and where the span starts in it."""
    hits = sorted(set(where[ps:pe]))
    if not hits or len({p for p, _ in hits}) != 1:
        return None
    first = where.index(hits[0])
    text = "".join(paper.pages[p].words[w].text for p, w in hits)
    return text, ps - first


def _window(read: str, length: int, like: str) -> str | None:
    """The stretch of ``read`` of ``length`` characters closest to ``like``."""
    if len(read) < length:
        return None
    best = min(
        (read[k : k + length] for k in range(len(read) - length + 1)),
        key=lambda w: sum(a != b for a, b in zip(w, like, strict=True)),
    )
    return best


def _confirmed(e_value: str, first: str, others: list[str]) -> str | None:
    """What the paper says, when every reading says it; None when any reading has the
    electronic value or the readings do not agree where they differ from it.

    Of the same length, position by position: a character counts as different when every
    reading has the same character there and it is not the electronic one; the others keep
    the electronic character (a misread neighbour does not spoil a real change)."""
    if any(e_value in r for r in others):
        return None
    if len(first) != len(e_value):
        return first if all(first in r for r in others) else None
    windows = [_window(r, len(e_value), first) for r in others]
    if any(w is None for w in windows):
        return None
    out, changed = [], False
    for i, (e_char, p_char) in enumerate(zip(e_value, first, strict=True)):
        if p_char != e_char and all(w[i] == p_char for w in windows):
            out.append(p_char)
            changed = True
        else:
            out.append(e_char)
    return "".join(out) if changed else None


def _context(e_text: str, spans: list[Span], span: Span) -> str:
    """The name nearest before the field (whose ID or amount it is)."""
    before = [s for s in spans if s.kind == "name" and s.end <= span.start]
    if span.kind != "name" and before and span.start - before[-1].end <= 40:
        return e_text[before[-1].start : before[-1].end]
    return ""


def _text_differences(e_text, e_page, p_text, p_where, aligned, spans, paper) -> list[Difference]:
    inside = [False] * len(e_text)
    for s in spans:
        for k in range(s.start, s.end):
            inside[k] = True
    out = []
    for tag, i1, i2, j1, j2 in aligned.ops:
        if tag != "replace" or any(inside[i1:i2]):
            continue
        if min(i2 - i1, j2 - j1) < TEXT_MIN_RUN:
            continue
        e_value, p_value = e_text[i1:i2], p_text[j1:j2]
        diff = _judge("text", e_value, p_value, j1, j2, p_where, paper)
        diff.electronic_page = e_page[i1]
        if diff.raised and diff.detail.get("ocr_confidence", 0) < TEXT_MIN_CONF:
            diff.raised = False
        out.append(diff)
    return out


def _unique(diffs: list[Difference]) -> list[Difference]:
    seen, out = set(), []
    for d in diffs:
        key = (d.field, d.paper, d.electronic, d.page, d.raised)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
