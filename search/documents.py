"""What the index holds for one item, built from the database; the same for every backend.

An item is indexed when it has its 档号 and is not destroyed (a destroyed item keeps only
its metadata placeholder, which is not searched). Items still in review have no 档号 and
are found in the review queue, not in search.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from search import text as T


@dataclass(frozen=True)
class IndexDocument:
    """One indexed item. ``keys``: its numbers (档号, 文号, the household's IDs, report and
    authorization numbers), one per line; ``names``: the household's member names, one
    per line; ``text``: the pages' normalised text in page order."""

    item_id: int
    agency_id: int
    region_code: str
    household_id: int | None
    head_id_number: str
    archive_number: str
    category: str
    subtype_id: int
    subtype: str
    business_type: str
    year: int | None
    title: str
    keys: str
    names: str
    text: str
    # Every household of an item that concerns more than one (a 委托书 with its 花名册),
    # its own first; empty for the usual item of one household. One line per household
    # (see :func:`household_line`). Their names and IDs are also in ``names`` and ``keys``
    # (so the item is found by any of them); this column says whose they are, so a hit
    # names the household that matched (search.attribution).
    households: str = ""

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything indexed (or the tokenizer) changes."""
        values = [getattr(self, f) for f in self.__dataclass_fields__]
        if not self.households:  # documents indexed before the column keep their fingerprint
            values.pop()
        payload = json.dumps([T.TOKENIZER_VERSION, values], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    # The token streams every backend indexes, column by column. Numbers and names are
    # tokenised one by one (no run spans two names); page text runs on across lines.
    def token_columns(self) -> dict[str, list[str]]:
        return {
            "keys": [t for line in self.keys.splitlines() for t in T.tokens(line)],
            "names": [t for line in self.names.splitlines() for t in T.tokens(line)],
            "title": T.tokens(self.title),
            "body": T.tokens(self.text),
        }

    def name_keys(self) -> list[str]:
        keys = [T.name_key(n) for n in self.names.splitlines()]
        return sorted({k for k in keys if k})


FIELDS = tuple(IndexDocument.__dataclass_fields__)

# The reverse relation from Item to the households it lists besides its own (ingest's
# ItemHousehold, related_name ``listed_households``). Named, not imported: search sits below
# ingest; without the relation an item has its own household only.
LINKED_RELATION = "listed_households"


def linked_relation() -> str | None:
    """``LINKED_RELATION`` when the Item model has it, else None."""
    from django.core.exceptions import FieldDoesNotExist

    from archive.models import Item

    try:
        Item._meta.get_field(LINKED_RELATION)
    except FieldDoesNotExist:
        return None
    return LINKED_RELATION


def household_line(pk: int, head_id_number: str, head_name: str, members) -> str:
    """``pk<TAB>head ID<TAB>name<TAB>ID<TAB>name<TAB>ID…`` (head first, then members)."""
    pairs = [(head_name, head_id_number)] + [(m.name, m.id_number) for m in members]
    cells = [str(pk), T.normalize(head_id_number).strip()]
    for name, number in pairs:
        cells += [T.normalize(name or "").strip(), T.normalize(number or "").strip()]
    return "\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells)


def parse_household_line(line: str) -> tuple[int, str, list[tuple[str, str]]]:
    """(household pk, head ID, [(name, ID), …]) of a :func:`household_line`."""
    cells = line.split("\t")
    rest = cells[2:]
    return int(cells[0]), cells[1], list(zip(rest[::2], rest[1::2], strict=False))


def _linked_households(item) -> list:
    relation = linked_relation()
    if relation is None:
        return []
    links = getattr(item, relation).all()
    out = []
    for link in sorted(links, key=lambda x: x.pk):
        if link.household_id != item.household_id and link.household not in out:
            out.append(link.household)
    return out


def is_indexable(item) -> bool:
    from archive.models import Item

    return bool(item.archive_number) and item.status != Item.Status.DESTROYED


def build_document(
    item,
    *,
    members: Iterable | None = None,
    page_texts: Iterable[str] | None = None,
    linked: list | None = None,
) -> IndexDocument:
    """The document of an item; use :func:`items_for_indexing` to load items efficiently.

    A caller that has just written the item can pass what it holds instead of letting this
    read it: ``members`` (the household's members in pk order, as ``household.members``
    gives them), ``page_texts`` (the pages' texts in page order) and ``linked`` (the other
    households it lists: ``[]`` for an item nobody has linked yet). The document is then
    the same as the one built from the database (tests/push/test_push_index.py)."""
    household = item.household
    if members is None:
        members = household.members.all() if household else []
    members = list(members) if household else []
    case = item.case
    keys = [item.archive_number or "", item.document_number]
    if household:
        keys.append(household.head_id_number)
    keys += [m.id_number for m in members]
    if case:
        keys += [case.report_number, case.authorization_number]
    names = [household.head_name] if household else []
    names += [m.name for m in members]
    if linked is None:
        linked = _linked_households(item)
    lines = []
    if linked:
        everyone = ([household] if household else []) + linked
        for h in everyone:
            lines.append(household_line(h.pk, h.head_id_number, h.head_name, h.members.all()))
        for h in linked:
            keys += [h.head_id_number, *(m.id_number for m in h.members.all())]
            names += [h.head_name, *(m.name for m in h.members.all())]
    if page_texts is None:
        page_texts = [p.text for p in sorted(item.pages.all(), key=lambda p: p.number)]
    return IndexDocument(
        item_id=item.pk,
        agency_id=item.agency_id,
        region_code=item.agency.region_code,
        household_id=item.household_id,
        head_id_number=household.head_id_number if household else "",
        archive_number=item.archive_number or "",
        category=item.category,
        subtype_id=item.subtype_id,
        subtype=item.subtype.name,
        business_type=case.business_type if case else "",
        year=item.year,
        title=T.normalize(item.title),
        keys="\n".join(dict.fromkeys(T.normalize(k).strip() for k in keys if k and k.strip())),
        names="\n".join(dict.fromkeys(T.normalize(n).strip() for n in names if n and n.strip())),
        text="\n".join(T.normalize(t).strip() for t in page_texts if t and t.strip()),
        households="\n".join(lines),
    )


def items_for_indexing(queryset=None):
    """Items with what :func:`build_document` reads, in few queries."""
    from archive.models import Item

    qs = Item.objects.all() if queryset is None else queryset
    related = ["pages", "household__members"]
    relation = linked_relation()
    if relation:
        related.append(f"{relation}__household__members")
    return qs.select_related("agency", "subtype", "case", "household").prefetch_related(*related)


def indexable_items(queryset=None):
    from archive.models import Item

    qs = items_for_indexing(queryset)
    return qs.filter(archive_number__isnull=False).exclude(status=Item.Status.DESTROYED)


def iter_documents(queryset=None, batch: int = 500) -> Iterator[IndexDocument]:
    """Every indexable item's document, in id order, loaded batch by batch."""
    qs = indexable_items(queryset).order_by("pk")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return
        for item in chunk:
            yield build_document(item)
        last = chunk[-1].pk


def batched(iterable: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for x in iterable:
        chunk.append(x)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
