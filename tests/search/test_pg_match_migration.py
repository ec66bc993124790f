"""Migration 0005 on PostgreSQL: ``tsv`` moves from the document table into the match table
and back, and the backend finds what an installation indexed before the move."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BEFORE = [("hedang_search", "0004_pg_head_index")]
AFTER = [("hedang_search", "0005_pg_match_table")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _columns(table: str) -> set[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            [table],
        )
        return {r[0] for r in cur.fetchall()}


def test_tsv_moves_to_the_match_table_and_back():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL backend")
    from search.backends import Filters
    from search.backends import postgres as pg
    from search.documents import FIELDS, IndexDocument
    from search.text import parse_query

    doc = IndexDocument(
        item_id=41, agency_id=7, region_code="420102", household_id=3,
        head_id_number="42010219850315100X", archive_number="A-1", category="report",
        subtype_id=15, subtype="核对报告", business_type="aa", year=2024, title="张伟户核对报告",
        keys="42010219850315100X", names="张伟", text="家庭月收入 3,215.40 元，养殖场一处",
    )  # fmt: skip
    _migrate(BEFORE)
    try:
        assert "tsv" in _columns(pg.DOC)
        columns = (*FIELDS, "fingerprint", "tsv", "fullnames", "tsv_head")
        with connection.cursor() as cur:  # indexed before the move, the old layout's way
            cur.execute(
                f"INSERT INTO {pg.DOC} ({', '.join(columns)}) VALUES "
                f"({', '.join(['%s'] * (len(columns) - 3))}, %s::tsvector, %s, %s::tsvector)",
                [
                    *(getattr(doc, f) for f in FIELDS),
                    doc.fingerprint,
                    pg.tsvector_literal(doc),
                    doc.name_keys(),
                    pg.tsvector_literal(doc, pg.HEAD_WEIGHTS),
                ],
            )
        _migrate(AFTER)
        assert "tsv" not in _columns(pg.DOC) and "tsv" in _columns(pg.MATCH)
        backend = pg.PostgresBackend()
        for text in ("养殖", "3,215.40", "张伟"):
            raw = backend.search(parse_query(text), Filters(agency_ids=frozenset({7})))
            assert [h.document for h in raw.hits] == [doc], text
        assert backend.search(parse_query("养殖"), Filters(agency_ids=frozenset({8}))).total == 0

        _migrate(BEFORE)
        assert "tsv" in _columns(pg.DOC) and "tsv" not in _columns(pg.MATCH)
        with connection.cursor() as cur:
            cur.execute(f"SELECT item_id FROM {pg.DOC} WHERE tsv @@ '养殖'::tsquery")
            assert cur.fetchall() == [(41,)]
    finally:
        _migrate(AFTER)
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
