"""The embedded backend on SQLite: an FTS5 table of the shared tokens.

``hedang_search_fts`` is contentless (``content=''``, rowid = item id) with the columns
``keys names title body`` (token streams from search/text.py, joined by spaces; FTS5's
``unicode61`` tokenizer then splits them back on the spaces, since every token is a run of
letters), ``meta`` (filter tokens ``a<agency id> c<category> s<subtype id>
b<business type> y<year>``, so jurisdiction and filters are answered inside the FTS query
and totals are exact) and ``fullnames`` (each member's whole name as one token, for
"exact name first"). Filter tokens start with U+E000, a private-use character that
unicode61 keeps in tokens but search/text.py never puts in one, so no typed query can match
them and phrases need no column filter (which would cost position-list reads). A phrase
matching ``fullnames`` implies the same match in ``names``, so it changes no result. Updates delete the old row with FTS5's ``'delete'`` command, feeding
it the tokens recomputed from the stored document (this SQLite predates
``contentless_delete``); a tokenizer change therefore needs ``search_reindex``.

:class:`Fts5Index` works on a plain ``sqlite3`` connection so the benchmark measures this
very code; :class:`SqliteBackend` hands it Django's connection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from search.backends import (
    FACET_LIMIT,
    FACETS,
    RANK_LIMIT,
    Filters,
    RawHit,
    RawResult,
    SearchBackend,
)
from search.documents import FIELDS, IndexDocument, batched
from search.text import ParsedQuery, Phrase

FTS = "hedang_search_fts"
DOC = "hedang_search_document"
FTS_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "keys, names, title, body, meta, fullnames, content='', "
    "tokenize='unicode61 remove_diacritics 0')"
)
# The document table as the app's migration creates it (used standalone by the benchmark).
DOC_DDL = f"""CREATE TABLE IF NOT EXISTS {DOC} (
    item_id INTEGER PRIMARY KEY, agency_id INTEGER NOT NULL, region_code TEXT NOT NULL,
    household_id INTEGER, head_id_number TEXT NOT NULL, archive_number TEXT NOT NULL,
    category TEXT NOT NULL, subtype_id INTEGER NOT NULL, subtype TEXT NOT NULL,
    business_type TEXT NOT NULL, year INTEGER, title TEXT NOT NULL, keys TEXT NOT NULL,
    names TEXT NOT NULL, text TEXT NOT NULL, fingerprint TEXT NOT NULL,
    households TEXT NOT NULL DEFAULT '')"""
DOC_INDEX_DDL = [f"CREATE INDEX IF NOT EXISTS {DOC}_agency ON {DOC} (agency_id)"]

M = "\ue000"  # the filter-token marker
WEIGHTS = "8.0, 4.0, 2.0, 1.0, 0.0, 0.0"  # keys, names, title, body, meta, fullnames
DOC_COLUMNS = (*FIELDS, "fingerprint")
_NON_ALNUM = re.compile(r"[\W_]+")


# -- what goes into the FTS row ---------------------------------------------------------------


def meta_tokens(doc: IndexDocument) -> str:
    return " ".join(
        [
            f"{M}a{doc.agency_id}",
            f"{M}c{_NON_ALNUM.sub('', doc.category)}",
            f"{M}s{doc.subtype_id}",
            f"{M}b{doc.business_type or 'none'}",
            f"{M}y{doc.year or 0}",
        ]
    )


def fts_values(doc: IndexDocument) -> tuple:
    cols = doc.token_columns()
    return (
        doc.item_id,
        " ".join(cols["keys"]),
        " ".join(cols["names"]),
        " ".join(cols["title"]),
        " ".join(cols["body"]),
        meta_tokens(doc),
        " ".join(doc.name_keys()),
    )


def doc_values(doc: IndexDocument) -> tuple:
    return (*(getattr(doc, f) for f in FIELDS), doc.fingerprint)


# -- the FTS5 query ----------------------------------------------------------------------------


def phrase_expr(phrase: Phrase) -> str:
    return '"' + " ".join(phrase.tokens) + '"' + (" *" if phrase.prefix else "")


def filter_exprs(filters: Filters) -> list[str]:
    def any_of(prefix: str, values) -> str:
        return " OR ".join(f'"{M}{prefix}{v}"' for v in values)

    out = []
    if filters.agency_ids is not None:
        out.append(any_of("a", sorted(filters.agency_ids)))
    if filters.category:
        out.append(any_of("c", [_NON_ALNUM.sub("", filters.category)]))
    if filters.subtype_ids is not None:
        out.append(any_of("s", sorted(filters.subtype_ids)))
    if filters.business_type:
        out.append(any_of("b", [_NON_ALNUM.sub("", filters.business_type)]))
    if filters.year:
        out.append(any_of("y", [int(filters.year)]))
    return out


def match_expr(query: ParsedQuery, filters: Filters) -> str:
    parts = [phrase_expr(p) for p in query.phrases] + filter_exprs(filters)
    return " AND ".join(f"({p})" for p in parts)


def names_expr(query: ParsedQuery) -> str | None:
    if not query.names:
        return None
    return "fullnames : (" + " OR ".join(f'"{n}"' for n in query.names) + ")"


class Fts5Index:
    """The index on one sqlite3 connection (transactions are the caller's)."""

    def __init__(self, conn) -> None:
        self.conn = conn

    def create_schema(self, with_documents: bool = False) -> None:
        if with_documents:
            self.conn.execute(DOC_DDL)
            for sql in DOC_INDEX_DDL:
                self.conn.execute(sql)
        self.conn.execute(FTS_DDL)

    # -- writing --------------------------------------------------------------------------

    def load(self, item_ids: Iterable[int]) -> dict[int, tuple[IndexDocument, str]]:
        out = {}
        for chunk in batched(item_ids, 500):
            rows = self.conn.execute(
                f"SELECT {', '.join(DOC_COLUMNS)} FROM {DOC} "
                f"WHERE item_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            for row in rows:
                doc = IndexDocument(**dict(zip(FIELDS, row[:-1], strict=True)))
                out[doc.item_id] = (doc, row[-1])
        return out

    def _remove(self, docs: Iterable[IndexDocument]) -> None:
        docs = list(docs)
        if not docs:
            return
        self.conn.executemany(
            f"INSERT INTO {FTS} ({FTS}, rowid, keys, names, title, body, meta, fullnames) "
            "VALUES ('delete', ?, ?, ?, ?, ?, ?, ?)",
            [fts_values(d) for d in docs],
        )
        self.conn.executemany(f"DELETE FROM {DOC} WHERE item_id = ?", [(d.item_id,) for d in docs])

    def insert(self, docs: list[IndexDocument]) -> None:
        """Add documents that are not indexed yet (bulk path of rebuilds)."""
        self.conn.executemany(
            f"INSERT INTO {DOC} ({', '.join(DOC_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(DOC_COLUMNS))})",
            [doc_values(d) for d in docs],
        )
        self.conn.executemany(
            f"INSERT INTO {FTS} (rowid, keys, names, title, body, meta, fullnames) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [fts_values(d) for d in docs],
        )

    def upsert(self, docs: list[IndexDocument]) -> None:
        old = self.load([d.item_id for d in docs])
        changed = [d for d in docs if d.item_id not in old or old[d.item_id][1] != d.fingerprint]
        self._remove(old[d.item_id][0] for d in changed if d.item_id in old)
        if changed:
            self.insert(changed)

    def delete(self, item_ids: Iterable[int]) -> None:
        self._remove(doc for doc, _ in self.load(item_ids).values())

    def clear(self) -> None:
        self.conn.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('delete-all')")
        self.conn.execute(f"DELETE FROM {DOC}")

    def optimize(self) -> None:
        self.conn.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('optimize')")

    def fingerprints(self) -> Iterator[tuple[int, str]]:
        yield from self.conn.execute(f"SELECT item_id, fingerprint FROM {DOC} ORDER BY item_id")

    # -- searching ------------------------------------------------------------------------

    def ranked(self, match: str, names: str | None, limit: int, offset: int) -> list[tuple]:
        """(item id, bm25, exact name) of one page, exact names first, then by bm25."""
        if names:
            exact = f"rowid IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH ?)"
            params: tuple = (names, match, limit, offset)
        else:
            exact, params = "0", (match, limit, offset)
        return self.conn.execute(
            f"SELECT rowid, bm25({FTS}, {WEIGHTS}) AS r, {exact} AS e FROM {FTS} "
            f"WHERE {FTS} MATCH ? ORDER BY e DESC, r, rowid LIMIT ? OFFSET ?",
            params,
        ).fetchall()

    def newest(self, match: str, names: str | None, limit: int, offset: int) -> list[tuple]:
        """(item id, 0, exact name) of one page of a common query: exact names first, then
        newest first. FTS5 walks its doclists in rowid order and stops at the page's end."""
        wanted = limit + offset
        exact: list[int] = []
        if names:
            exact = [
                r[0]
                for r in self.conn.execute(
                    f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH ? ORDER BY rowid DESC LIMIT ?",
                    (f"({names}) AND ({match})", wanted),
                )
            ]
        rest = self.conn.execute(
            f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH ? ORDER BY rowid DESC LIMIT ?",
            (match, wanted + len(exact)),
        )
        seen = set(exact)
        rows = [(i, 0.0, 1) for i in exact]
        rows += [(r[0], 0.0, 0) for r in rest if r[0] not in seen]
        return rows[offset:wanted]

    def count(self, match: str, bound: int | None = None) -> int:
        """The number of matches, counted up to ``bound`` when given."""
        if bound is None:
            sql, params = f"SELECT count(*) FROM {FTS} WHERE {FTS} MATCH ?", (match,)
        else:
            inner = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH ? LIMIT ?"
            sql, params = f"SELECT count(*) FROM ({inner})", (match, bound)
        return self.conn.execute(sql, params).fetchone()[0]

    def facet_counts(self, match: str) -> dict[str, dict[str, int]]:
        rows = self.conn.execute(
            f"SELECT {', '.join(FACETS)}, count(*) FROM {DOC} "
            f"WHERE item_id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH ?) "
            f"GROUP BY {', '.join(FACETS)}",
            (match,),
        ).fetchall()
        out: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        for row in rows:
            n = row[-1]
            for name, value in zip(FACETS, row[:-1], strict=True):
                key = "" if value is None else str(value)
                out[name][key] = out[name].get(key, 0) + n
        return out

    def search(
        self,
        query: ParsedQuery,
        filters: Filters,
        limit: int,
        offset: int,
        facets: bool,
        facet_limit: int = FACET_LIMIT,
        rank_limit: int = RANK_LIMIT,
    ) -> RawResult:
        if query.empty or filters.nothing:
            return RawResult(0, [], {})
        match = match_expr(query, filters)
        total = self.count(match, bound=rank_limit + 1)
        common = total > rank_limit
        if common:
            total = rank_limit
            ranked = self.newest(match, names_expr(query), limit, offset)
        else:
            ranked = self.ranked(match, names_expr(query), limit, offset)
        counted = facets and not common and total <= facet_limit
        facet_counts = self.facet_counts(match) if counted else {}
        docs = self.load(r[0] for r in ranked)
        hits = [RawHit(docs[i][0], -r, bool(e)) for i, r, e in ranked if i in docs]
        return RawResult(total, hits, facet_counts, total_exact=not common)


class SqliteBackend(SearchBackend):
    name = "sqlite"
    transactional = True

    def _index(self) -> Fts5Index:
        from django.db import connection

        connection.ensure_connection()
        return Fts5Index(connection.connection)

    def upsert(self, documents: list[IndexDocument]) -> None:
        self._index().upsert(documents)

    def delete(self, item_ids: Iterable[int]) -> None:
        self._index().delete(list(item_ids))

    def search(
        self,
        query,
        filters,
        *,
        limit=20,
        offset=0,
        facets=True,
        facet_limit=FACET_LIMIT,
        rank_limit=RANK_LIMIT,
    ) -> RawResult:
        return self._index().search(query, filters, limit, offset, facets, facet_limit, rank_limit)

    def fingerprints(self) -> Iterator[tuple[int, str]]:
        return self._index().fingerprints()

    def rebuild(self, documents: Iterable[IndexDocument], batch: int = 500) -> int:
        from django.db import transaction

        n = 0
        with transaction.atomic():
            index = self._index()
            index.clear()
            for chunk in batched(documents, batch):
                index.insert(chunk)
                n += len(chunk)
            index.optimize()
        return n
