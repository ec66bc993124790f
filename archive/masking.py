"""Resident IDs are masked for every role that does not need them in full — one rule, one
function (:func:`mask_text`), used by the API, the admin pages, the operation log and search.

The rule:

* A **resident ID** anywhere in text is shown as ``420102********1234`` (first 6, last 4).
  It is found however it is written: half- or full-width digits (``４２０１…``), with single
  spaces, ideographic spaces or hyphens between the digits (``420102 19850315 1234``), a
  lower-case or full-width final X.
* Any other run of 14–17 such digits (a 15-digit first-generation ID, a bank card, an ID cut
  short) is masked entirely, and so is a run of 4 or more digits that touches the start or the
  end of the text or an ellipsis: that is where a search snippet cuts an ID at its window edge
  (16 of 18 digits used to leak there).
* An **authorization number** (居经授第…号, Appendix A) names a document, not a person: it is
  shown whole everywhere — the household page, search, the API. Report numbers likewise.
"""

from __future__ import annotations

import re
from typing import Any

from archive.identifiers import mask_resident_id, normalize_width

FULL_ID_PERMISSION = "archive.view_full_id_number"

_D = "[0-9\uff10-\uff19]"  # half- and full-width digits
_SEP = "[ \u3000\u00a0-]?"  # at most one separator between two characters
_X = "[0-9\uff10-\uff19Xx\uff38\uff58]"
_ALNUM_BEFORE = r"(?<![0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a])"
_ALNUM_AFTER = r"(?![0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a])"
# 14 to 18 ID characters, the last may be an X; an authorization number's digits are left.
_RUN = re.compile(
    rf"(?<!授第)(?<!授第 ){_ALNUM_BEFORE}{_D}(?:{_SEP}{_D}){{12,16}}(?:{_SEP}{_X}){_ALNUM_AFTER}"
)
_SP = "[ \u3000\u00a0]?"  # spaces only: hyphens join the parts of 档号 and dates
# 6 or more ID characters at the very start or end of the text, or next to an ellipsis.
_EDGE = re.compile(
    rf"^(?:…|\.\.\.)?\s?{_X}(?:{_SP}{_X}){{5,}}{_ALNUM_AFTER}"
    rf"|(?:…|\.\.\.)\s?{_X}(?:{_SP}{_X}){{5,}}{_ALNUM_AFTER}"
    rf"|{_ALNUM_BEFORE}{_D}(?:{_SP}{_X}){{5,}}\s?(?:…|\.\.\.|$)"
)
_SEPARATORS = re.compile(r"[ \u3000\u00a0-]")


def may_see_full_ids(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(FULL_ID_PERMISSION))


def _stars(match: re.Match) -> str:
    return re.sub(r"[0-9\uff10-\uff19Xx\uff38\uff58]", "*", match.group(0))


def _run(match: re.Match) -> str:
    compact = normalize_width(_SEPARATORS.sub("", match.group(0))).upper()
    if len(compact) == 18:
        return mask_resident_id(compact)
    return _stars(match)


def _mask_str(text: str) -> str:
    out: list[str] = []
    done = 0
    spans = [(m.start(), m.end(), _run(m)) for m in _RUN.finditer(text)]
    taken = [(a, b) for a, b, _ in spans]
    for m in _EDGE.finditer(text):
        if not any(a < m.end() and m.start() < b for a, b in taken):
            spans.append((m.start(), m.end(), _stars(m)))
    for a, b, replacement in sorted(spans):
        out += [text[done:a], replacement]
        done = b
    out.append(text[done:])
    return "".join(out)


def mask_text(value: Any, user=None, *, force: bool = False) -> Any:
    """``value`` (a string, or lists and dicts of them) with every resident ID masked,
    unless ``user`` may see IDs in full (and ``force`` is not set)."""
    if not force and may_see_full_ids(user):
        return value
    if isinstance(value, str):
        return _mask_str(value)
    if isinstance(value, list | tuple):
        return [mask_text(v, force=True) for v in value]
    if isinstance(value, dict):
        return {k: mask_text(v, force=True) for k, v in value.items()}
    return value


def shown_id_number(user, value: str) -> str:
    """A known ID field as this user may see it: whole, or as 420102********1234."""
    if not value or may_see_full_ids(user):
        return value
    return mask_resident_id(value)


def may_download_originals(user, item) -> bool:
    """Whether ``user`` may download ``item``'s files (originals and every copy of their
    pixels carry resident IDs that no text mask reaches): the full-ID permission, or any app
    granting it now through the ``hedang_original_access`` hook (loans: an approved loan)."""
    if may_see_full_ids(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    from wagtail import hooks

    return any(bool(fn(user, item)) for fn in hooks.get_hooks("hedang_original_access"))
