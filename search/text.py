"""Normalisation, tokens and query parsing: the one definition every backend shares.

Pure Python (no Django at import time), so the benchmark and the Elasticsearch backend
use exactly the same code as the embedded index.

Text is normalised (full-width → half-width, white space between two Han characters
dropped, since Tesseract puts spaces there) and cut into *runs*: a run of Han characters,
or a run of other letters and digits (a "word"). Everything else (punctuation, spaces)
only separates runs. Tokens, in order, one per position:

- a Han run ``ABCD`` gives one token per character: the bigram starting there, and the
  last character alone: ``AB BC CD D``;
- a word gives itself, lower-cased: ``3,215.40`` → ``3 215 40``.

A query is matched as a *phrase* of the same tokens, which makes it an exact substring
match on Han text and a whole-word match on digits and Latin letters:

- a Han run that ends the query contributes its bigrams only (``张伟`` → ``张伟``), so it
  matches wherever those characters stand together; a single trailing Han character is a
  *prefix* token (``伟`` → ``伟*``: the bigrams that start with it, or 伟 alone);
- a Han run followed by a word in the query must end where the word starts, exactly as in
  the document, so it contributes every token including the last character alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.identifiers import ArchiveNumberPattern, classify, normalize_width

TOKENIZER_VERSION = 1

HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_CHAR = re.compile(f"[{HAN}]")
_SPACE_IN_HAN = re.compile(f"(?<=[{HAN}])\\s+(?=[{HAN}])")
_RUN = re.compile(f"([{HAN}]+)|([^\\W_{HAN}]+)")
_WORD_CHAR = f"[^\\W_{HAN}]"


def normalize(text: str) -> str:
    """Half-width forms, no white space between Han characters; case is kept."""
    return _SPACE_IN_HAN.sub("", normalize_width(text or ""))


def runs(text: str) -> list[tuple[bool, str]]:
    """``(is_han, run)`` pairs of the normalised, lower-cased text."""
    return [(bool(m.group(1)), m.group(0)) for m in _RUN.finditer(normalize(text).lower())]


def tokens(text: str) -> list[str]:
    """The document tokens of ``text``, in position order."""
    out: list[str] = []
    for is_han, run in runs(text):
        if is_han:
            out.extend(run[i : i + 2] for i in range(len(run)))
        else:
            out.append(run)
    return out


def token_text(text: str) -> str:
    """The tokens joined by spaces: what a whitespace tokenizer indexes."""
    return " ".join(tokens(text))


def name_key(name: str) -> str:
    """A person's name as compared for "exact name" ranking: letters and Han only."""
    return "".join(run for _, run in runs(name))


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """Tokens that must stand at consecutive positions; ``prefix``: the last one is a
    single Han character matched as a prefix. ``runs`` are the runs as typed (for
    highlighting)."""

    tokens: tuple[str, ...]
    prefix: bool
    runs: tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """A query: every phrase must match (AND). ``names``: keys of whole names to rank
    first; ``identifier``: the kind of number when the query is one."""

    text: str
    phrases: tuple[Phrase, ...]
    names: tuple[str, ...] = ()
    identifier: str | None = None

    @property
    def empty(self) -> bool:
        return not self.phrases


def phrase_of(term: str) -> Phrase | None:
    """The phrase for one query term (no white space in it that separates terms)."""
    parts = runs(term)
    if not parts:
        return None
    toks: list[str] = []
    prefix = False
    for i, (is_han, run) in enumerate(parts):
        last = i == len(parts) - 1
        if not is_han:
            toks.append(run)
        elif not last:
            toks.extend(run[j : j + 2] for j in range(len(run)))
        elif len(run) == 1:
            toks.append(run)
            prefix = True
        else:
            toks.extend(run[j : j + 2] for j in range(len(run) - 1))
    return Phrase(tuple(toks), prefix, tuple(run for _, run in parts))


def _terms(query: str) -> list[str]:
    """Split on white space, but re-join OCR-style single Han characters (``核 对 报告``)."""
    terms: list[str] = []
    last_piece = ""
    for piece in query.split():
        if (
            terms
            and _HAN_CHAR.fullmatch(terms[-1][-1])
            and _HAN_CHAR.fullmatch(piece[0])
            and (len(last_piece) == 1 or len(piece) == 1)
        ):
            terms[-1] += piece
        else:
            terms.append(piece)
        last_piece = piece
    return terms


_NUMBER_CORE = re.compile(r"(?:居经授)?第?([0-9a-z]{10,})号?")


def _identifier_phrase(q: str, pattern: ArchiveNumberPattern | None) -> tuple[str, Phrase] | None:
    kind, parsed, _error = classify(q, pattern)
    if kind is None:
        return None
    if parsed is not None:
        value = parsed.value  # type: ignore[attr-defined]
        if kind == "resident_id":
            core = value.lower()
        elif kind in ("report_number", "authorization_number"):
            core = _NUMBER_CORE.fullmatch(value.lower()).group(1)  # type: ignore[union-attr]
        else:
            phrase = phrase_of(value)
            return (kind, phrase) if phrase else None
        return kind, Phrase((core,), False, (core,))
    if kind in ("report_number", "authorization_number"):
        # An invalid number (a typo, an old format) is still looked up without 第 and 号.
        m = _NUMBER_CORE.fullmatch(q.lower().replace(" ", ""))
        if m:
            return kind, Phrase((m.group(1),), False, (m.group(1),))
    return None


def parse_query(query: str, archive_pattern: ArchiveNumberPattern | None = None) -> ParsedQuery:
    """Parse what a user typed. An identifier typed in full becomes its canonical core
    (a report number with or without 第 and 号, an ID with a lower-case x)."""
    q = normalize_width(query or "").strip()
    if not q:
        return ParsedQuery("", ())
    found = _identifier_phrase(q, archive_pattern)
    if found:
        return ParsedQuery(q, (found[1],), identifier=found[0])
    phrases: list[Phrase] = []
    names: list[str] = []
    for term in _terms(q):
        phrase = phrase_of(term)
        if phrase is None:
            continue
        if phrase not in phrases:
            phrases.append(phrase)
        key = name_key(term)
        if _HAN_CHAR.search(key) and key not in names:
            names.append(key)
    return ParsedQuery(q, tuple(phrases), tuple(names))


def highlight_pattern(parsed: ParsedQuery) -> re.Pattern[str] | None:
    """A regex finding the query's matches in normalised display text (case-insensitive)."""
    alternatives = []
    for phrase in parsed.phrases:
        pieces = []
        for i, run in enumerate(phrase.runs):
            piece = re.escape(run)
            if not _HAN_CHAR.match(run):
                piece = f"(?<!{_WORD_CHAR}){piece}(?!{_WORD_CHAR})"
            pieces.append(piece)
            if i < len(phrase.runs) - 1:
                pieces.append(r"[\W_]*?")
        alternatives.append("".join(pieces))
    if not alternatives:
        return None
    alternatives.sort(key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)
