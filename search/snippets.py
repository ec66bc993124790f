"""Snippets: a short window of the matching text, HTML-escaped, the match in <mark>…</mark>.

Built in Python from the stored display text for the hits of one page only, so every
backend gives the same snippet for the same item and query.
"""

from __future__ import annotations

import re
from html import escape

BEFORE = 30
WIDTH = 110


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max(0, start - BEFORE)
    hi = min(len(text), max(end, lo + WIDTH))
    # Do not cut in the middle of a line when a line break is near.
    nl = text.rfind("\n", lo, start)
    if nl != -1 and start - nl < BEFORE:
        lo = nl + 1
    return lo, hi


def _render(text: str, lo: int, hi: int, pattern: re.Pattern[str] | None) -> str:
    piece = text[lo:hi]
    out: list[str] = []
    pos = 0
    if pattern is not None:
        for m in pattern.finditer(piece):
            if m.end() == m.start():
                continue
            out.append(escape(piece[pos : m.start()]))
            out.append(f"<mark>{escape(m.group(0))}</mark>")
            pos = m.end()
    out.append(escape(piece[pos:]))
    html = " ".join("".join(out).split())  # line breaks and runs of spaces → one space
    return ("…" if lo > 0 else "") + html + ("…" if hi < len(text) else "")


def snippet(sources: list[str], pattern: re.Pattern[str] | None) -> str:
    """The snippet from the first source (page text, title, names and numbers) that
    contains a match; the beginning of the first non-empty source when none does."""
    if pattern is not None:
        for text in sources:
            if not text:
                continue
            m = pattern.search(text)
            if m:
                lo, hi = _window(text, m.start(), m.end())
                return _render(text, lo, hi, pattern)
    for text in sources:
        if text:
            return _render(text, 0, min(len(text), WIDTH), None)
    return ""
