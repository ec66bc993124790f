"""The embedded backend on PostgreSQL: a tsvector of the shared tokens, GIN indexed.

The tsvector is written as a literal (``'张伟':1A '伟华':2A …``), never through a text
search parser or dictionary, so it holds exactly the tokens of search/text.py, whatever
the database's locale. Columns are weighted A (numbers), B (names), C (title), D (pages),
with one unused position between them so no phrase spans two columns. The query is a
tsquery literal of the same phrases (``'张伟' <-> '伟华'``, a trailing single Han
character as the prefix ``'伟':*``), so SQLite and PostgreSQL match the same items.
Filters and jurisdiction are plain columns in the same WHERE clause. The tsvector lives in
the narrow match table (MATCH) beside copies of the filter columns; the document table
holds what a hit shows and the small head tsvector (numbers, names, title).

Limits of tsvector: positions stop at 16,383 and one token keeps at most 256 positions;
tokens past either limit are left out, so a phrase that appears only beyond ~16,000
characters of one item is not found on PostgreSQL (SQLite and Elasticsearch have no
such limit).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import nullcontext

from search.backends import (
    FACET_LIMIT,
    FACETS,
    RANK_LIMIT,
    Filters,
    RawHit,
    RawResult,
    SearchBackend,
)
from search.backends.pg_schema import DOC, MATCH, MATCH_COLUMNS
from search.documents import FIELDS, IndexDocument, batched
from search.text import ParsedQuery

MAX_POSITION = 16383
MAX_POSITIONS_PER_TOKEN = 256
WEIGHTS = (("keys", "A"), ("names", "B"), ("title", "C"), ("body", "D"))

# A query the planner expects to match this many times the rank limit is common without
# counting (see PostgresBackend._bounded_ids).
ESTIMATE_FACTOR = 1.25
ESTIMATE_MIN = 10_000  # below this many rows the statistics are too coarse to trust
HEAD_WEIGHTS = WEIGHTS[:3]  # tsv_head: numbers, names and title, without the page text


def tsvector_literal(doc: IndexDocument, weights=WEIGHTS) -> str:
    columns = doc.token_columns()
    positions: dict[str, list[str]] = {}
    pos = 1
    for column, weight in weights:
        for token in columns[column]:
            if pos > MAX_POSITION:
                break
            seen = positions.setdefault(token, [])
            if len(seen) < MAX_POSITIONS_PER_TOKEN:
                seen.append(f"{pos}{weight}")
            pos += 1
        pos += 1  # the gap between columns
    return " ".join(f"'{token}':{','.join(p)}" for token, p in positions.items())


def tsquery_literal(query: ParsedQuery, op: str = "&") -> str:
    """Every phrase (``op`` "&"), or any of them ("|")."""
    parts = []
    for phrase in query.phrases:
        tokens = [f"'{t}'" for t in phrase.tokens]
        if phrase.prefix:
            tokens[-1] += ":*"
        parts.append("(" + " <-> ".join(tokens) + ")")
    return f" {op} ".join(parts)


def where_filters(filters: Filters, alias: str = "") -> tuple[list[str], list]:
    """The filters as SQL conditions on the columns of ``alias`` (both tables have them)."""
    a = f"{alias}." if alias else ""
    sql, params = [], []
    if filters.agency_ids is not None:
        sql.append(f"{a}agency_id = ANY(%s)")
        params.append(sorted(filters.agency_ids))
    if filters.category:
        sql.append(f"{a}category = %s")
        params.append(filters.category)
    if filters.subtype_ids is not None:
        sql.append(f"{a}subtype_id = ANY(%s)")
        params.append(sorted(filters.subtype_ids))
    if filters.business_type:
        sql.append(f"{a}business_type = %s")
        params.append(filters.business_type)
    if filters.year:
        sql.append(f"{a}year = %s")
        params.append(int(filters.year))
    return sql, params


class PostgresBackend(SearchBackend):
    name = "postgres"
    transactional = True

    def __init__(self, connection=None) -> None:
        self.connection = connection  # a DB-API connection; None: Django's (the benchmark
        # passes a psycopg connection to measure this very code)

    def _cursor(self):
        if self.connection is not None:
            return self.connection.cursor()
        from django.db import connection

        return connection.cursor()

    def _load(self, cur, item_ids: list[int]) -> dict[int, IndexDocument]:
        cur.execute(f"SELECT {', '.join(FIELDS)} FROM {DOC} WHERE item_id = ANY(%s)", [item_ids])
        return {
            row[0]: IndexDocument(**dict(zip(FIELDS, row, strict=True))) for row in cur.fetchall()
        }

    def _write(self, cur, documents: list[IndexDocument], only_changed: bool) -> None:
        if only_changed:  # unchanged documents are not written again (nor their GIN entries)
            cur.execute(
                f"SELECT item_id, fingerprint FROM {DOC} WHERE item_id = ANY(%s)",
                [[d.item_id for d in documents]],
            )
            stored = dict(cur.fetchall())
            documents = [d for d in documents if stored.get(d.item_id) != d.fingerprint]
            if not documents:
                return
        columns = (*FIELDS, "fingerprint")
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:])
        placeholders = ", ".join(["%s"] * len(columns))
        cur.executemany(
            f"INSERT INTO {DOC} ({', '.join(columns)}, fullnames, tsv_head) "
            f"VALUES ({placeholders}, %s, %s::tsvector) "
            f"ON CONFLICT (item_id) DO UPDATE SET {updates}, "
            f"fullnames = EXCLUDED.fullnames, tsv_head = EXCLUDED.tsv_head",
            [
                (
                    *(getattr(d, f) for f in FIELDS),
                    d.fingerprint,
                    d.name_keys(),
                    tsvector_literal(d, HEAD_WEIGHTS),
                )
                for d in documents
            ],
        )
        match_updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*MATCH_COLUMNS[1:], "tsv"))
        cur.executemany(
            f"INSERT INTO {MATCH} ({', '.join(MATCH_COLUMNS)}, tsv) "
            f"VALUES ({', '.join(['%s'] * len(MATCH_COLUMNS))}, %s::tsvector) "
            f"ON CONFLICT (item_id) DO UPDATE SET {match_updates}",
            [(*(getattr(d, c) for c in MATCH_COLUMNS), tsvector_literal(d)) for d in documents],
        )

    def _atomic(self):
        """Both tables change together: a document row whose match row was not written
        would keep its fingerprint, and no later upsert would repair it."""
        if self.connection is not None:  # the benchmark's own connection (autocommit)
            return nullcontext()
        from django.db import transaction

        return transaction.atomic()

    def upsert(self, documents: list[IndexDocument]) -> None:
        with self._atomic(), self._cursor() as cur:
            self._write(cur, documents, only_changed=True)

    def delete(self, item_ids: Iterable[int]) -> None:
        ids = list(item_ids)
        with self._atomic(), self._cursor() as cur:
            cur.execute(f"DELETE FROM {MATCH} WHERE item_id = ANY(%s)", [ids])
            cur.execute(f"DELETE FROM {DOC} WHERE item_id = ANY(%s)", [ids])

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
        if query.empty or filters.nothing:
            return RawResult(0, [], {})
        # ``m``: the narrow match table (tsv, filters); ``d``: the documents (names, head).
        conditions, params = where_filters(filters, "m")
        where = " AND ".join(["m.tsv @@ q.q", *conditions])
        tsquery = "CAST(%s AS tsquery) AS q(q)"
        match = f"{MATCH} m, {tsquery}"
        joined = f"{DOC} d JOIN {MATCH} m USING (item_id), {tsquery}"
        base = [tsquery_literal(query), *params]
        with self._cursor() as cur:
            # A number typed in full (ID, 档号, report number) names one household's items:
            # never common, so the planner's estimate is not asked.
            ids = self._bounded_ids(
                cur, match, where, base, rank_limit, estimate=not query.identifier
            )
            total = rank_limit + 1 if ids is None else len(ids)
            common = total > rank_limit
            names = list(query.names)
            if common:  # see RANK_LIMIT: exact names, then newest first
                total = rank_limit
                ranked = self._newest(cur, match, joined, where, base, names, limit, offset)
            else:
                ranked = self._ranked(cur, filters, query, ids, limit, offset)
            facet_counts: dict[str, dict[str, int]] = {}
            if facets and not common and total <= facet_limit:
                facet_columns = ", ".join(f"d.{f}" for f in FACETS)
                cur.execute(
                    f"SELECT {facet_columns}, count(*) FROM {joined} WHERE {where} "
                    f"GROUP BY {facet_columns}",
                    base,
                )
                facet_counts = {f: {} for f in FACETS}
                for row in cur.fetchall():
                    for name, value in zip(FACETS, row[:-1], strict=True):
                        key = "" if value is None else str(value)
                        facet_counts[name][key] = facet_counts[name].get(key, 0) + row[-1]
            # Rows are (item id, score, exact name, document or None: still to load).
            docs = {r[0]: r[3] for r in ranked if r[3] is not None}
            missing = [r[0] for r in ranked if r[3] is None]
            if missing:
                docs.update(self._load(cur, missing))
        hits = [RawHit(docs[i], float(r), bool(e)) for i, r, e, _ in ranked if i in docs]
        return RawResult(total, hits, facet_counts, total_exact=not common)

    @staticmethod
    def _bounded_ids(
        cur, source, where, base, rank_limit: int, estimate: bool = True
    ) -> list[int] | None:
        """The item ids of the matches, up to ``rank_limit + 1`` of them; None: common.

        A phrase in most items (收入 is in 98 % of them) would cost a heap row per match,
        20,001 of them. The column statistics (ANALYZE's most common elements of ``tsv``)
        already know such phrases: when the planner expects ``ESTIMATE_FACTOR`` × the limit
        or more, the query is common without counting (its figure for one token is within a
        fraction of a percent of the truth, hence the margin). Below that one bitmap scan of
        the narrow match table reads every match once, up to the bound: its length is the
        total, and the ids are what the newest-first part of the page is chosen from.
        """
        if estimate:
            cur.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {source} WHERE {where}", base)
            plan = cur.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            if plan[0]["Plan"]["Plan Rows"] >= max(ESTIMATE_FACTOR * rank_limit, ESTIMATE_MIN):
                return None
        cur.execute(f"SELECT item_id FROM {source} WHERE {where} LIMIT %s", [*base, rank_limit + 1])
        return [r[0] for r in cur.fetchall()]

    def _ranked(self, cur, filters, query, ids, limit, offset) -> list[tuple]:
        """One page of a query with at most RANK_LIMIT matches: exact names first, then
        by the cheaper rank (``ts_rank`` of ``tsv_head``: numbers, names, title), then
        newest first; without ranking every match.

        A match whose head (numbers, names, title) holds none of the query's phrases ranks
        below every match whose head holds one, and such matches tie among themselves:
        they come newest first. So the page is (1) the exact names (GIN on ``fullnames``;
        when they fill the page nothing else is read, the usual case for a name), else
        (2) the head matches, ranked (GIN on ``tsv_head``: few rows, small and inline),
        then (3) the newest matches whose head has none of the phrases, from the ids
        :meth:`_bounded_ids` read (so every match's row is read once, not twice).
        """
        wanted = limit + offset
        names = list(query.names)
        tsquery = "CAST(%s AS tsquery) AS q(q)"
        base = [tsquery_literal(query)]
        if len(query.phrases) == 1:
            # The head of a match holding the one phrase implies the match: the small
            # tsv_head stands in for tsv, and the document table alone answers.
            conditions, params = where_filters(filters, "d")
            source = f"{DOC} d, {tsquery}"
            where = " AND ".join(["d.tsv_head @@ q.q", *conditions])
        else:
            conditions, params = where_filters(filters, "m")
            source = f"{DOC} d JOIN {MATCH} m USING (item_id), {tsquery}"
            where = " AND ".join(["m.tsv @@ q.q", *conditions])
        base += params
        rank = "ts_rank(d.tsv_head, q.q)"
        # The documents come with the ranked rows: no second round trip to load them.
        docs = ", ".join(f"d.{f}" for f in FIELDS)

        def fetch() -> list[tuple]:
            return [
                (*r[:3], IndexDocument(**dict(zip(FIELDS, r[3:], strict=True))))
                for r in cur.fetchall()
            ]

        if names:
            cur.execute(
                f"SELECT item_id, {rank} AS r, true, {docs} FROM {source} "
                f"WHERE {where} AND d.fullnames && %s::text[] "
                f"ORDER BY r DESC, item_id DESC LIMIT %s",
                [*base, names, wanted],
            )
            exact = fetch()
            if len(exact) >= wanted:
                return exact[offset:wanted]
        cur.execute(
            f"SELECT item_id, {rank} AS r, d.fullnames && %s::text[] AS e, {docs} "
            f"FROM {source}, CAST(%s AS tsquery) AS h(q) "
            f"WHERE {where} AND d.tsv_head @@ h.q ORDER BY e DESC, r DESC, item_id DESC "
            f"LIMIT %s",
            [names, base[0], tsquery_literal(query, "|"), *base[1:], wanted],
        )
        head = fetch()
        if len(head) < wanted:  # then ``head`` holds every head match
            seen = {row[0] for row in head}
            body = sorted((i for i in ids if i not in seen), reverse=True)[: wanted - len(head)]
            head += [(i, -1.0, False, None) for i in body]
        return [(i, max(r, 0.0), e, doc) for i, r, e, doc in head[offset:wanted]]

    @staticmethod
    def _newest(cur, match, joined, where, base, names, limit, offset) -> list[tuple]:
        """One page of a query with more than RANK_LIMIT matches, without reading them all.

        Exact names through the GIN index on ``fullnames`` (few rows); the rest by walking
        the match table's primary key backwards and testing each row, which stops after the
        page: with more than RANK_LIMIT matches in the scope, a page of 20 takes about
        20 × rows / matches rows. A bitmap scan would first collect every match (and sort
        them), so it is switched off for that one statement.
        """
        wanted = limit + offset
        exact: list[int] = []
        if names:
            cur.execute(
                f"SELECT item_id FROM {joined} WHERE {where} AND d.fullnames && %s::text[] "
                f"ORDER BY item_id DESC LIMIT %s",
                [*base, names, wanted],
            )
            exact = [r[0] for r in cur.fetchall()]
        cur.execute("SET enable_bitmapscan = off")
        try:
            cur.execute(
                f"SELECT item_id FROM {match} WHERE {where} ORDER BY item_id DESC LIMIT %s",
                [*base, wanted + len(exact)],
            )
            newest = cur.fetchall()
        finally:
            cur.execute("RESET enable_bitmapscan")
        seen = set(exact)
        rows = [(i, 0.0, True, None) for i in exact]
        rows += [(r[0], 0.0, False, None) for r in newest if r[0] not in seen]
        return rows[offset:wanted]

    def fingerprints(self) -> Iterator[tuple[int, str]]:
        with self._cursor() as cur:
            cur.execute(f"SELECT item_id, fingerprint FROM {DOC} ORDER BY item_id")
            yield from cur.fetchall()

    def rebuild(self, documents: Iterable[IndexDocument], batch: int = 500) -> int:
        from django.db import transaction

        n = 0
        with transaction.atomic(), self._cursor() as cur:
            cur.execute(f"DELETE FROM {MATCH}")
            cur.execute(f"DELETE FROM {DOC}")
            for chunk in batched(documents, batch):
                self._write(cur, chunk, only_changed=False)
                n += len(chunk)
        return n


def backfill_head(cur, batch: int = 1000) -> int:
    """Fill ``tsv_head`` of rows indexed before it existed, from their stored tokens."""
    n, last = 0, -1
    # Migration 0002 runs this before 0003 adds ``households`` (which tsv_head does not use).
    fields = [f for f in FIELDS if f != "households"]
    while True:
        cur.execute(
            f"SELECT {', '.join(fields)} FROM {DOC} WHERE item_id > %s "
            f"AND tsv_head = ''::tsvector ORDER BY item_id LIMIT %s",
            [last, batch],
        )
        docs = [IndexDocument(**dict(zip(fields, row, strict=True))) for row in cur.fetchall()]
        if not docs:
            return n
        last = docs[-1].item_id
        cur.executemany(
            f"UPDATE {DOC} SET tsv_head = %s::tsvector WHERE item_id = %s",
            [(tsvector_literal(d, HEAD_WEIGHTS), d.item_id) for d in docs],
        )
        n += len(docs)
