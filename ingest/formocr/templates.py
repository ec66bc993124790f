"""Form templates: data files (``ingest/form_templates/*.json``), not code per form.

A template names the form's title and says where its fields are (see extract.py):

* ``patterns``: regular expressions (group ``v``), or a list of alternatives, over the text
  outside the tables, else over all the page's text (a header line printed as cells);
* ``tables``: row tables found by the keywords of their header (``find``), optionally by the
  caption line above them (``caption``); ``columns`` map a field to the keywords its column
  label must contain (a list of alternatives per keyword; all must match), whatever the
  columns' order; ``until``: labels (alternatives) of the row that ends it; the first table of
  the next page with as many columns continues it (header repeated or not); a column that
  repeats (two people per row) gives two records per row; ``group`` splits the rows by the
  label in a column; ``nest`` folds rows into records with children (a 花名册);
* ``blocks``: a row of item headings under an ``anchor`` label, with value rows below; a
  value cell merged across several headings fills one field (``merge_into``, else the first);
* ``values``: a label cell and the value cell to its right (when no pattern found the field);
* ``types``: id, int, digits, amount, date, report_number, text.

An agency adds a form by dropping a JSON file into the directory named by the setting
``HEDANG_FORM_TEMPLATES_DIRS`` (the built-in directory is always searched).
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

from ingest.formocr.columns import distance

BUILTIN = Path(__file__).resolve().parent.parent / "form_templates"


def norm(text: str) -> str:
    """NFKC, no whitespace, brackets unified: what OCR'd labels are compared as."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def fuzzy_in(keyword: str, text: str) -> bool:
    """``keyword`` occurs in ``text`` with at most one error per four characters."""
    keyword, text = norm(keyword), norm(text)
    if not keyword:
        return True
    if keyword in text:
        return True
    allowed = len(keyword) // 4
    if not allowed or len(text) < len(keyword) - allowed:
        return False
    n = len(keyword)
    return any(
        distance(keyword, text[i : i + n + d]) <= allowed
        for i in range(0, max(1, len(text) - n + allowed + 1))
        for d in (-1, 0, 1)
        if n + d > 0
    )


def matches(spec: list, text: str) -> bool:
    """All groups match; a group is a list of alternatives (or one keyword)."""
    for group in spec:
        alternatives = [group] if isinstance(group, str) else group
        if not any(fuzzy_in(k, text) for k in alternatives):
            return False
    return True


def template_dirs() -> list[Path]:
    dirs = [BUILTIN]
    try:
        from django.conf import settings

        dirs += [Path(d) for d in getattr(settings, "HEDANG_FORM_TEMPLATES_DIRS", [])]
    except Exception:  # noqa: BLE001 - without Django (the ocrmypdf plugin) only built-ins
        pass
    return dirs


@lru_cache(maxsize=8)
def _load(dirs: tuple[Path, ...]) -> tuple[dict, ...]:
    out: dict[str, dict] = {}
    for d in dirs:
        for path in sorted(d.glob("*.json")):
            template = json.loads(path.read_text(encoding="utf-8"))
            out[template["name"]] = template
    return tuple(out.values())


def load_templates() -> tuple[dict, ...]:
    return _load(tuple(template_dirs()))


def match_template(text: str, templates: tuple[dict, ...] | None = None) -> dict | None:
    """The template whose title occurs earliest in the document's first lines."""
    head = norm(text)[:200]
    best = None
    for template in templates if templates is not None else load_templates():
        title = norm(template["title"])
        if fuzzy_in(title, head):
            pos = head.find(title)
            pos = pos if pos >= 0 else 100
            if best is None or pos < best[0]:
                best = (pos, template)
    return best[1] if best else None
