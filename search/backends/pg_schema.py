"""The PostgreSQL backend's tables: the columns and indexes beside the document table's
Django columns, the narrow match table, and the move between the two layouts (migration
0005). Kept apart from search/backends/postgres.py (the queries) so migrations import the
SQL without the backend."""

from __future__ import annotations

DOC = "hedang_search_document"
# The layout migrations 0001–0004 build: ``tsv`` in the document table. Migration 0005
# moves it into the narrow match table (move_tsv_to_match); these stay as they were so the
# old migrations build what they always built.
V1_COLUMNS_SQL = [
    f"ALTER TABLE {DOC} ADD COLUMN IF NOT EXISTS tsv tsvector NOT NULL DEFAULT ''::tsvector",
    f"ALTER TABLE {DOC} ADD COLUMN IF NOT EXISTS fullnames text[] NOT NULL DEFAULT '{{}}'",
    f"ALTER TABLE {DOC} ALTER COLUMN tsv SET COMPRESSION lz4",
    f"ALTER TABLE {DOC} ADD COLUMN IF NOT EXISTS tsv_head tsvector NOT NULL DEFAULT ''::tsvector",
]
V1_INDEX_SQL = [
    f"CREATE INDEX IF NOT EXISTS {DOC}_tsv ON {DOC} USING gin (tsv) "
    "WITH (fastupdate = on, gin_pending_list_limit = 256)",
    f"CREATE INDEX IF NOT EXISTS {DOC}_fullnames ON {DOC} USING gin (fullnames)",
    f"CREATE INDEX IF NOT EXISTS {DOC}_tsv_head ON {DOC} USING gin (tsv_head) "
    "WITH (fastupdate = on, gin_pending_list_limit = 256)",
]
V1_SCHEMA_SQL = V1_COLUMNS_SQL + V1_INDEX_SQL
V1_UNSCHEMA_SQL = [
    f"DROP INDEX IF EXISTS {DOC}_tsv",
    f"DROP INDEX IF EXISTS {DOC}_fullnames",
    f"DROP INDEX IF EXISTS {DOC}_tsv_head",
    f"ALTER TABLE {DOC} DROP COLUMN IF EXISTS tsv",
    f"ALTER TABLE {DOC} DROP COLUMN IF EXISTS fullnames",
    f"ALTER TABLE {DOC} DROP COLUMN IF EXISTS tsv_head",
]

# The match table: the full tsvector and the filter columns, one narrow row per item (about
# 80 a page: ``toast_tuple_target`` moves ``tsv`` out of line). Counting a query's matches
# up to the rank limit visits one heap row per match (GIN has no index-only scans, and
# PostgreSQL 15's bitmap scans no longer skip all-visible pages); in the document table
# those rows are ~2 kB, four to a page, spread over gigabytes that do not stay in shared
# buffers, here the whole table is ~100 MB at a million items.
MATCH = "hedang_search_match"
MATCH_COLUMNS = ("item_id", "agency_id", "category", "subtype_id", "business_type", "year")
MATCH_DDL = (
    f"CREATE TABLE IF NOT EXISTS {MATCH} (item_id bigint PRIMARY KEY, agency_id bigint NOT NULL, "
    "category text NOT NULL, subtype_id bigint NOT NULL, business_type text NOT NULL "
    "DEFAULT '', year integer, tsv tsvector NOT NULL DEFAULT ''::tsvector) "
    "WITH (toast_tuple_target = 128)"
)
# The columns and tables, then the indexes (bench/search/pg.py loads between the two).
# (search/models.py's SearchMatch creates the table with Django; MATCH_DDL is for the benchmark.)
COLUMNS_SQL = [
    f"ALTER TABLE {DOC} ADD COLUMN IF NOT EXISTS fullnames text[] NOT NULL DEFAULT '{{}}'",
    f"ALTER TABLE {DOC} ADD COLUMN IF NOT EXISTS tsv_head tsvector NOT NULL DEFAULT ''::tsvector",
    MATCH_DDL,
    f"ALTER TABLE {MATCH} SET (toast_tuple_target = 128)",
    f"ALTER TABLE {MATCH} ADD COLUMN IF NOT EXISTS tsv tsvector NOT NULL DEFAULT ''::tsvector",
    # lz4 decompresses several times faster than pglz: phrase rechecks read tsv.
    f"ALTER TABLE {MATCH} ALTER COLUMN tsv SET COMPRESSION lz4",
]
# fastupdate with a small pending list: writes stay cheap, and no search has to read more
# than 256 kB of unmerged entries (the default, 4 MB, cost common queries tens of ms).
INDEX_SQL = [
    f"CREATE INDEX IF NOT EXISTS {MATCH}_tsv ON {MATCH} USING gin (tsv) "
    "WITH (fastupdate = on, gin_pending_list_limit = 256)",
    f"CREATE INDEX IF NOT EXISTS {DOC}_fullnames ON {DOC} USING gin (fullnames)",
    # The head matches of a query, ranked without reading the other matches (_ranked).
    f"CREATE INDEX IF NOT EXISTS {DOC}_tsv_head ON {DOC} USING gin (tsv_head) "
    "WITH (fastupdate = on, gin_pending_list_limit = 256)",
]
SCHEMA_SQL = COLUMNS_SQL + INDEX_SQL


def move_tsv_to_match(cur) -> None:
    """Migration 0005 (and the benchmark's older databases): the match table, filled from the
    document table's ``tsv`` if it still has one, which is then dropped; then the indexes."""
    for sql in COLUMNS_SQL:
        cur.execute(sql)
    cur.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = %s AND column_name = 'tsv'",
        [DOC],
    )
    if cur.fetchone():
        cols = ", ".join(MATCH_COLUMNS)
        cur.execute(
            f"INSERT INTO {MATCH} ({cols}, tsv) SELECT {cols}, tsv FROM {DOC} "
            "ON CONFLICT (item_id) DO NOTHING"
        )
        cur.execute(f"DROP INDEX IF EXISTS {DOC}_tsv")
        cur.execute(f"ALTER TABLE {DOC} DROP COLUMN tsv")
    for sql in INDEX_SQL:
        cur.execute(sql)


def move_tsv_back(cur) -> None:
    """Migration 0005 backwards: ``tsv`` in the document table again (the migration then
    drops the match table)."""
    cur.execute(
        f"ALTER TABLE {DOC} ADD COLUMN IF NOT EXISTS tsv tsvector NOT NULL DEFAULT ''::tsvector"
    )
    cur.execute(f"ALTER TABLE {DOC} ALTER COLUMN tsv SET COMPRESSION lz4")
    cur.execute(f"UPDATE {DOC} d SET tsv = m.tsv FROM {MATCH} m WHERE m.item_id = d.item_id")
    cur.execute(f"DROP INDEX IF EXISTS {MATCH}_tsv")
    cur.execute(f"ALTER TABLE {MATCH} DROP COLUMN IF EXISTS tsv")  # the model's table stays
    for sql in V1_INDEX_SQL:
        cur.execute(sql)
