"""Search backends: one small interface, several engines (modelled on wagtail.search.backends).

A backend stores :class:`~search.documents.IndexDocument` objects and answers a
:class:`~search.text.ParsedQuery` under :class:`Filters`. It returns raw hits (item id,
score, whether a household member has exactly the queried name, the stored document);
the service turns them into snippets and public results. Every backend indexes the token
streams of search/text.py, so the matches (and the totals) are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from search.documents import IndexDocument
from search.text import ParsedQuery

FACETS = ("category", "subtype", "business_type", "year", "region_code")
# Facets are counted only when a query has at most this many matches (counting them costs
# time in proportion to the matches); above it every backend returns no facets.
FACET_LIMIT = 20_000
# Above this many matches a query is "common" (a 2-character phrase found in a fifth of the
# archive): its hits come exact names first, then newest first, and ``total`` counts matches
# only up to this bound (``total_exact`` is False). Ranking by relevance would score every
# match — hundreds of milliseconds at a million items — for an order nobody can use.
RANK_LIMIT = 20_000


@dataclass(frozen=True)
class Filters:
    """``agency_ids`` None: every agency; empty: nothing at all."""

    agency_ids: frozenset[int] | None = None
    category: str | None = None
    subtype_ids: frozenset[int] | None = None
    business_type: str | None = None
    year: int | None = None

    @property
    def nothing(self) -> bool:
        return (self.agency_ids is not None and not self.agency_ids) or (
            self.subtype_ids is not None and not self.subtype_ids
        )


@dataclass(frozen=True)
class RawHit:
    document: IndexDocument
    score: float
    exact_name: bool


@dataclass(frozen=True)
class RawResult:
    total: int
    hits: list[RawHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    total_exact: bool = True  # False: at least ``total`` matches (RANK_LIMIT)


class SearchBackend:
    """The interface. ``transactional``: index writes take part in the database
    transaction (embedded); otherwise they are sent after commit."""

    name = "base"
    transactional = True

    def upsert(self, documents: list[IndexDocument]) -> None:
        raise NotImplementedError

    def delete(self, item_ids: Iterable[int]) -> None:
        raise NotImplementedError

    def search(
        self,
        query: ParsedQuery,
        filters: Filters,
        *,
        limit: int = 20,
        offset: int = 0,
        facets: bool = True,
        facet_limit: int = FACET_LIMIT,
        rank_limit: int = RANK_LIMIT,
    ) -> RawResult:
        raise NotImplementedError

    def fingerprints(self) -> Iterator[tuple[int, str]]:
        """(item id, fingerprint) of every indexed document."""
        raise NotImplementedError

    def rebuild(self, documents: Iterable[IndexDocument], batch: int = 500) -> int:
        """Replace the whole index with ``documents``; returns how many were indexed."""
        raise NotImplementedError


def get_backend() -> SearchBackend:
    """The configured backend: ``HEDANG_SEARCH`` = ``embedded`` (default; SQLite FTS5 or
    PostgreSQL, following the database) or ``elasticsearch``."""
    from django.conf import settings
    from django.db import connection

    kind = getattr(settings, "HEDANG_SEARCH", "embedded") or "embedded"
    if kind == "elasticsearch":
        from search.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend.from_settings()
    if kind != "embedded":
        raise ValueError(f"HEDANG_SEARCH must be 'embedded' or 'elasticsearch', not {kind!r}")
    if connection.vendor == "postgresql":
        from search.backends.postgres import PostgresBackend

        return PostgresBackend()
    if connection.vendor == "sqlite":
        from search.backends.sqlite import SqliteBackend

        return SqliteBackend()
    raise ValueError(f"no embedded search backend for database {connection.vendor!r}")
