"""Known names: the name cells of a table form checked against the household it names.

When a form names a household already in the archive — its head's resident ID read right (a
valid ID, checksum and all), within the jurisdiction of the agency that took the paper in —
each name cell is compared with that household's head, members and obligors:

* the row's resident ID is a known person's and the name read is still recognisably theirs
  (as long, with a character in its place; or one character more or fewer with at least half
  of them right): that person's name;
* else the name read is within one character of exactly one known name of the same length
  (and no other known name is as close): that name;
* else what was read stays as it was read.

An empty cell stays empty, a name too far from every known one stays as read, and a cell
close to two known names is not guessed: nothing is invented that is not on the page. Every
name cell checked is recorded in ``form["names"]`` with ``source`` ``read`` (the value is what
the engine read) or ``matched`` (the value is the known name; ``read`` keeps what was read).

:func:`match_form` is pure (the OCR benchmark runs it without Django); :func:`check_item`
is the Django side, called when the form is attached to its item (ingest.formocr.attach).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from archive import identifiers
from ingest.formocr.columns import distance

READ, MATCHED = "read", "matched"
_NOT_NAME = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·]")


@dataclass(frozen=True)
class KnownHousehold:
    """What the archive knows of one household: its head and everyone on file."""

    head_id: str
    head_name: str
    people: tuple[tuple[str, str], ...] = field(default=())  # (name, resident ID or "")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.head_name, *(n for n, _ in self.people)]))

    def name_of(self, id_number: str) -> str | None:
        if id_number and id_number == self.head_id:
            return self.head_name
        return next((n for n, i in self.people if i and i == id_number), None)


def cleaned(read: str) -> str:
    """The characters of a name cell that can be part of a Chinese name."""
    return _NOT_NAME.sub("", read or "")


def match_name(read: str, row_id: str, known: KnownHousehold) -> str | None:
    """The known name this cell's text stands for, or None (keep what was read)."""
    text = cleaned(read)
    if not text:
        return None  # an empty cell is not filled in from the archive
    if text in known.names:
        return text  # read right (another person's exact name is never overruled by the ID)
    by_id = known.name_of(row_id) if identifiers.is_valid_resident_id(row_id or "") else None
    if by_id is not None:
        # The ID (18 digits with a check digit) names the person; the text must still be
        # recognisably theirs: of the same length with a character right, or one character
        # more or fewer with at least half of them right.
        right = len(by_id) - distance(text, by_id)
        same = len(text) == len(by_id)
        if (same and right >= 1) or (abs(len(text) - len(by_id)) == 1 and 2 * right >= len(by_id)):
            return by_id
    same_length = [n for n in known.names if len(n) == len(text)]
    close = [n for n in same_length if distance(text, n) <= 1]
    # One character off a two-character name leaves one right: enough only with a single
    # candidate, which is what "exactly one" below requires.
    return close[0] if len(close) == 1 and len(text) >= 2 else None


# --- the name cells of each template ----------------------------------------------------------


@dataclass
class Cell:
    """One name cell of a form: where it is, the resident ID on its row, and the household
    the row belongs to (by its head's ID)."""

    path: str
    row: dict
    key: str
    row_id: str
    head_id: str


def _id(value) -> str:
    value = str(value or "")
    return value if identifiers.is_valid_resident_id(value) else ""


def name_cells(template: str, fields: dict) -> Iterator[Cell]:
    """Every name cell of the form, with its row's ID and the head ID of its household."""
    if template in ("home_visit", "report"):
        rows = [
            (group, n, row)
            for group in ("members", "obligors")
            for n, row in enumerate(fields.get(group) or [])
            if isinstance(row, dict)
        ]
        ids = [_id(row.get("id_number")) for _, _, row in rows]
        # The household of a one-household form: the head among its rows (本人/户主), else
        # whichever row's ID is a known head (check_item / the caller decides).
        head = next(
            (
                i
                for (_, _, row), i in zip(rows, ids, strict=True)
                if i and str(row.get("relation", "")) in ("本人", "户主")
            ),
            "",
        )
        for (group, n, row), row_id in zip(rows, ids, strict=True):
            yield Cell(f"{group}/{n}/name", row, "name", row_id, head)
        if "head_name" in fields:
            yield Cell("head_name", fields, "head_name", head, head)
    elif template == "commission":
        for n, row in enumerate(fields.get("roster") or []):
            head = _id(row.get("head_id"))
            yield Cell(f"roster/{n}/head_name", row, "head_name", head, head)
            for m, member in enumerate(row.get("members") or []):
                yield Cell(
                    f"roster/{n}/members/{m}/name",
                    member,
                    "name",
                    _id(member.get("id_number")),
                    head,
                )
    elif template == "review_application":
        for n, row in enumerate(fields.get("rows") or []):
            head = _id(row.get("head_id"))
            yield Cell(f"rows/{n}/head_name", row, "head_name", head, head)
            yield Cell(f"rows/{n}/name", row, "name", _id(row.get("id_number")), head)


def household_ids(template: str, fields: dict) -> list[str]:
    """The resident IDs on the form that may be a household head's (valid ones only)."""
    out: list[str] = []
    for cell in name_cells(template, fields):
        for value in (cell.head_id, cell.row_id):
            if value and value not in out:
                out.append(value)
    return out


def match_form(
    template: str, fields: dict, households: Sequence[KnownHousehold] | dict[str, KnownHousehold]
) -> list[dict]:
    """Check every name cell of ``fields`` (changed in place) against the known households
    (by head ID); returns the ``form["names"]`` record."""
    by_head = (
        households
        if isinstance(households, dict)
        else {h.head_id: h for h in households if h.head_id}
    )
    cells = list(name_cells(template, fields))
    # A one-household form whose head row was not recognised: the household one of its IDs
    # heads, when exactly one does.
    fallback = None
    if template in ("home_visit", "report") and not any(c.head_id in by_head for c in cells):
        heads = {c.row_id for c in cells if c.row_id in by_head}
        fallback = by_head[heads.pop()] if len(heads) == 1 else None
    record = []
    for cell in cells:
        read = cell.row.get(cell.key)
        if not isinstance(read, str) or not read.strip():
            continue
        known = by_head.get(cell.head_id) or fallback
        name = match_name(read, cell.row_id, known) if known is not None else None
        if name is not None and name != read:
            cell.row[cell.key] = name
            record.append({"path": cell.path, "source": MATCHED, "read": read, "value": name})
        else:
            record.append({"path": cell.path, "source": READ, "read": read, "value": read})
    return record


# --- Django side ------------------------------------------------------------------------------


def known_households(head_ids: Iterable[str], agency_ids: Sequence[int] | None) -> list:
    """The households headed by ``head_ids`` within the agencies ``agency_ids`` (None: all),
    with their members and obligors."""
    from archive.models import Household

    households = Household.objects.filter(head_id_number__in=list(head_ids))
    if agency_ids is not None:
        households = households.filter(agency_id__in=agency_ids)
    out = []
    for household in households.prefetch_related("members"):
        people = tuple((m.name, m.id_number) for m in household.members.all())
        out.append(KnownHousehold(household.head_id_number, household.head_name, people))
    return out


def check_item(form: dict, agency_ids: Sequence[int] | None) -> dict:
    """``item.fields["form"]`` with its name cells checked against the households it names
    in the jurisdiction ``agency_ids`` (ingest.formocr.attach calls it before saving)."""
    fields = copy.deepcopy(form.get("fields") or {})
    template = form.get("template", "")
    heads = household_ids(template, fields)
    if not heads:
        return form
    households = known_households(heads, agency_ids)
    # Two agencies of the jurisdiction may each file the same head: then the name is not
    # checked against either (which household the paper means is a person's call).
    seen: dict[str, KnownHousehold | None] = {}
    for household in households:
        seen[household.head_id] = None if household.head_id in seen else household
    unique = {k: v for k, v in seen.items() if v is not None}
    names = match_form(template, fields, unique)
    return {**form, "fields": fields, "names": names}
