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

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything indexed (or the tokenizer) changes."""
        values = [getattr(self, f) for f in self.__dataclass_fields__]
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


def is_indexable(item) -> bool:
    from archive.models import Item

    return bool(item.archive_number) and item.status != Item.Status.DESTROYED


def build_document(item) -> IndexDocument:
    """The document of an item; use :func:`items_for_indexing` to load items efficiently."""
    household = item.household
    members = list(household.members.all()) if household else []
    case = item.case
    keys = [item.archive_number or "", item.document_number]
    if household:
        keys.append(household.head_id_number)
    keys += [m.id_number for m in members]
    if case:
        keys += [case.report_number, case.authorization_number]
    names = [household.head_name] if household else []
    names += [m.name for m in members]
    pages = sorted(item.pages.all(), key=lambda p: p.number)
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
        text="\n".join(T.normalize(p.text).strip() for p in pages if p.text and p.text.strip()),
    )


def items_for_indexing(queryset=None):
    """Items with what :func:`build_document` reads, in few queries."""
    from archive.models import Item

    qs = Item.objects.all() if queryset is None else queryset
    return qs.select_related("agency", "subtype", "case", "household").prefetch_related(
        "pages", "household__members"
    )


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
