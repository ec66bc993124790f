"""The search service's public face: index, remove, search, reindex, check.

Used by the staff UI, the API (``GET /api/v1/search``), the ``search`` command and the
ingest pipeline. Everything here is synchronous; the embedded backends write inside the
caller's transaction, Elasticsearch after commit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from django.db import transaction

from archive.masking import mask_text, may_see_full_ids
from search import snippets
from search.attribution import Attribution, matched_household
from search.backends import FACET_LIMIT, FACETS, RANK_LIMIT, Filters, RawHit, get_backend
from search.documents import (
    batched,
    build_document,
    is_indexable,
    items_for_indexing,
    iter_documents,
)
from search.text import ParsedQuery, highlight_pattern, parse_query

log = logging.getLogger(__name__)

MAX_LIMIT = 200


class _Unrestricted:
    """Search every agency's items (management commands, system jobs); never for a user."""

    def __repr__(self) -> str:
        return "UNRESTRICTED"


UNRESTRICTED = _Unrestricted()


@dataclass(frozen=True)
class Hit:
    item_id: int
    archive_number: str
    household: str  # the head of household's resident ID
    category: str
    subtype: str  # the Chinese subtype name
    title: str
    snippet: str  # HTML: escaped text, the match in <mark>…</mark>
    score: float
    exact_name: bool  # someone in the household has exactly the queried name
    # The household the hit names (pk of ``household``): the item's own, or for an item
    # of several households (a 花名册) the one whose member or text matched.
    household_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "archive_number": self.archive_number,
            "household": self.household,
            "category": self.category,
            "subtype": self.subtype,
            "title": self.title,
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: tuple[Hit, ...]
    # Empty when not asked for, or when the query has more matches than the facet limit
    # (settings.HEDANG_SEARCH_FACET_LIMIT, default 20,000): narrow the query to see them.
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    limit: int = 20
    offset: int = 0
    # False for a common query (more matches than settings.HEDANG_SEARCH_RANK_LIMIT): ``total``
    # is then that bound, and the hits come exact names first, then newest first.
    total_exact: bool = True

    def as_dict(self, with_facets: bool = False) -> dict:
        """``{"total", "hits": [...]}`` as in docs/contracts.md; ``"total_exact": false`` added when
        ``total`` is only a lower bound (facets added on request)."""
        out: dict = {"total": self.total, "hits": [h.as_dict() for h in self.hits]}
        if not self.total_exact:
            out["total_exact"] = False
        if with_facets:
            out["facets"] = {
                name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                for name, values in self.facets.items()
            }
        return out


# --------------------------------------------------------------------------------------------
# Keeping the index in step with the database
# --------------------------------------------------------------------------------------------

_local = threading.local()


def _item_id(item_or_id) -> int:
    return int(getattr(item_or_id, "pk", item_or_id))


def _sync(item_ids: list[int]) -> None:
    from archive.models import Item

    backend = get_backend()
    for chunk in batched(item_ids, 500):
        qs = items_for_indexing(Item.objects.filter(pk__in=chunk))
        items = {i.pk: i for i in qs}
        docs = [build_document(items[i]) for i in chunk if i in items and is_indexable(items[i])]
        indexed = {d.item_id for d in docs}
        gone = [i for i in chunk if i not in indexed]
        # No savepoint of its own inside the caller's transaction: an error fails the caller
        # (the signal receivers keep their own savepoint, so an index error never fails a
        # model's save).
        with transaction.atomic(savepoint=False):
            if docs:
                backend.upsert(docs)
            if gone:
                backend.delete(gone)


def update_items(item_ids: Iterable[int]) -> None:
    """Bring these items' index entries up to date (indexed, changed or removed)."""
    ids = sorted({int(i) for i in item_ids})
    if not ids:
        return
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending.update(ids)
        return
    if get_backend().transactional:
        _sync(ids)
    else:
        transaction.on_commit(lambda: _sync(ids))


def index_item(item_or_id) -> None:
    """Index (or re-index) one item; an item that is not filed, or destroyed, is removed."""
    update_items([_item_id(item_or_id)])


def index_written(item, *, members: Iterable, page_texts: Iterable[str]) -> None:
    """Index an item its caller has just created and committed, from the objects it holds
    (the item with its household, case, agency and subtype set, the household's members in
    pk order, the pages' texts), without reading them back: the same document as
    :func:`index_item` would build (tests/push/test_push_index.py), four queries
    fewer. Only for a new item nothing else has linked to other households yet (the platform
    push); inside :func:`deferred`, or for an item that is not indexable, it goes the
    ordinary way."""
    if collecting() or not is_indexable(item):
        index_item(item)
        return
    doc = build_document(item, members=members, page_texts=page_texts, linked=[])
    backend = get_backend()
    if backend.transactional:
        backend.upsert([doc])
    else:
        transaction.on_commit(lambda: backend.upsert([doc]))


def remove_item(item_or_id) -> None:
    """Remove an item from the index (e.g. before deleting it)."""
    ids = [_item_id(item_or_id)]
    backend = get_backend()
    if backend.transactional:
        backend.delete(ids)
    else:
        transaction.on_commit(lambda: backend.delete(ids))


def withdraw(item_ids: Iterable[int]) -> None:
    """Inside :func:`deferred`: drop the updates noted for these items. Only for a caller
    that indexes them itself once its transaction has committed (a pushed item: push/platform.py
    keeps its filing transaction short)."""
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending.difference_update(int(i) for i in item_ids)


def collecting() -> bool:
    """Inside :func:`deferred`: updates are only noted, nothing is written yet."""
    return getattr(_local, "pending", None) is not None


@contextmanager
def deferred() -> Iterator[None]:
    """Collect index updates (from signals too) and apply them once, at the end."""
    if getattr(_local, "pending", None) is not None:
        yield
        return
    _local.pending = set()
    try:
        yield
    finally:
        ids, _local.pending = _local.pending, None
    update_items(ids)


def reindex() -> int:
    """Rebuild the whole index from the database; returns the number of items indexed."""
    return get_backend().rebuild(iter_documents())


@dataclass(frozen=True)
class CheckReport:
    expected: int  # indexable items in the database
    indexed: int  # documents in the index
    missing: tuple[str, ...]  # archive numbers of items not in the index
    stale: tuple[str, ...]  # archive numbers of items whose index entry is out of date
    extra: tuple[int, ...]  # item ids in the index that should not be there

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "expected": self.expected,
            "indexed": self.indexed,
            "missing": list(self.missing),
            "stale": list(self.stale),
            "extra": list(self.extra),
        }


def check() -> CheckReport:
    """Compare the index with the database (every item's fingerprint)."""
    indexed = dict(get_backend().fingerprints())
    expected: dict[int, tuple[str, str]] = {
        d.item_id: (d.archive_number, d.fingerprint) for d in iter_documents()
    }
    missing = [num for i, (num, _) in expected.items() if i not in indexed]
    stale = [num for i, (num, fp) in expected.items() if i in indexed and indexed[i] != fp]
    extra = [i for i in indexed if i not in expected]
    return CheckReport(
        len(expected),
        len(indexed),
        tuple(sorted(missing)),
        tuple(sorted(stale)),
        tuple(sorted(extra)),
    )


# --------------------------------------------------------------------------------------------
# Searching
# --------------------------------------------------------------------------------------------


def _agency_scope(user, region: str | None) -> frozenset[int] | None:
    from archive.identifiers import normalize_width
    from archive.models import Agency

    if user is UNRESTRICTED:
        ids = None
    elif user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    else:
        visible = user.visible_agency_ids
        ids = None if visible is None else frozenset(visible)
    if region:
        agency = Agency.objects.filter(region_code=normalize_width(str(region)).strip()).first()
        if agency is None:
            return frozenset()
        below = frozenset(agency.jurisdiction_ids())
        ids = below if ids is None else ids & below
    return ids


def _subtype_ids(subtype: str | None) -> frozenset[int] | None:
    from django.db.models import Q

    from archive.models import Subtype

    if not subtype:
        return None
    value = str(subtype).strip()
    qs = Subtype.objects.filter(Q(name=value) | Q(code=value.upper()))
    return frozenset(qs.values_list("pk", flat=True))


def _facet_labels(facets: dict[str, dict[str, int]]) -> dict[str, tuple[FacetValue, ...]]:
    from archive.categories import Category, business_type_name
    from archive.models import Agency

    regions = dict(
        Agency.objects.filter(region_code__in=list(facets.get("region_code", {}))).values_list(
            "region_code", "region_name"
        )
    )
    labels = {
        "category": lambda v: Category(v).label if v in Category.values else v,
        "subtype": lambda v: v,
        "business_type": lambda v: business_type_name(v) if v else "无",
        "year": lambda v: v or "无",
        "region_code": lambda v: regions.get(v, v),
    }
    out = {}
    for name in FACETS:
        counts = facets.get(name, {})
        values = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        public = "region" if name == "region_code" else name
        out[public] = tuple(FacetValue(v, labels[name](v), n) for v, n in values)
    return out


def mask_ids(snippet: str) -> str:
    """Resident IDs in a snippet as 420102********1234 (chapter 11: only roles that need
    them see IDs in full), by the one rule of archive.masking.mask_text, which also masks an
    ID cut open at the snippet's edge. ``Hit.household``
    stays whole: mask it where it is shown, with archive.masking.shown_id_number."""
    return mask_text(snippet, force=True)


def hit_from_raw(raw: RawHit, pattern, query: ParsedQuery | None = None) -> Hit:
    """A public hit from a backend's raw hit (snippet built with ``pattern``); with
    ``query``, an item of several households names the one that matched."""
    doc = raw.document
    if query is not None:
        named = matched_household(doc, query, pattern)
    else:
        named = Attribution(doc.household_id, doc.head_id_number)
    info = " ".join([*doc.names.splitlines(), *doc.keys.splitlines()])
    texts = [doc.text, doc.title, info]
    return Hit(
        item_id=doc.item_id,
        archive_number=doc.archive_number,
        household=named.head_id_number,
        category=doc.category,
        subtype=doc.subtype,
        title=doc.title,
        snippet=snippets.snippet(texts, pattern),
        score=round(raw.score, 6),
        exact_name=raw.exact_name,
        household_id=named.household_id,
    )


def search(
    query: str,
    user,
    *,
    category: str | None = None,
    subtype: str | None = None,
    business_type: str | None = None,
    year: int | None = None,
    region: str | None = None,
    limit: int = 20,
    offset: int = 0,
    facets: bool = True,
) -> SearchResult:
    """Search the items ``user`` may see (``UNRESTRICTED``: all; None or an inactive user:
    none). ``subtype``: Chinese name or code; ``region``: a region code, meaning that
    agency and the agencies below it. Hits come exact-name first, then by relevance (for a
    query with more matches than HEDANG_SEARCH_RANK_LIMIT: newest first)."""
    from archive.identifiers import archive_number_pattern

    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    parsed = parse_query(query, archive_number_pattern())
    filters = Filters(
        agency_ids=_agency_scope(user, region),
        category=category or None,
        subtype_ids=_subtype_ids(subtype),
        business_type=(business_type or "").strip().lower() or None,
        year=int(year) if year else None,
    )
    from django.conf import settings

    raw = get_backend().search(
        parsed,
        filters,
        limit=limit,
        offset=offset,
        facets=facets,
        facet_limit=getattr(settings, "HEDANG_SEARCH_FACET_LIMIT", FACET_LIMIT),
        rank_limit=getattr(settings, "HEDANG_SEARCH_RANK_LIMIT", RANK_LIMIT),
    )
    pattern = highlight_pattern(parsed)
    hits = [hit_from_raw(h, pattern, parsed) for h in raw.hits]
    # The one masking rule also masks an ID the snippet window cut open at its edge.
    if user is not UNRESTRICTED and not may_see_full_ids(user):
        hits = [replace(h, snippet=mask_ids(h.snippet)) for h in hits]
    return SearchResult(
        query=parsed.text,
        total=raw.total,
        hits=tuple(hits),
        facets=_facet_labels(raw.facets) if raw.facets else {},
        limit=limit,
        offset=offset,
        total_exact=raw.total_exact,
    )
