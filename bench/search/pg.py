"""PostgreSQL: the embedded backend's tsvector index vs the bare tsvector query (floor) vs
pg_trgm, on the same synthetic archive (bench/search/synth.py).

    .venv/bin/python bench/search/pg.py --items 200000 \\
        [--dsn postgres://postgres@127.0.0.1:5432/hedang_pgsearch_bench]

The database is dropped and created again. Prints a Markdown table. A million items take
about an hour to generate on a loaded 2-core machine; ``--finish --copy-to 1000000`` indexes
the rows an interrupted load left, copied under new item ids up to that many, and
``--reuse`` measures that database again (adding indexes introduced since).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.search import synth  # noqa: E402
from bench.search.run import BATCH, PG_HEADING, pct, write_docs  # noqa: E402
from search.backends import Filters  # noqa: E402
from search.backends.pg_schema import (  # noqa: E402
    COLUMNS_SQL,
    DOC,
    INDEX_SQL,
    MATCH,
    MATCH_COLUMNS,
    move_tsv_to_match,
)
from search.backends.postgres import (  # noqa: E402
    HEAD_WEIGHTS,
    PostgresBackend,
    tsquery_literal,
    tsvector_literal,
)
from search.backends.sqlite import DOC_DDL  # noqa: E402
from search.documents import FIELDS, IndexDocument  # noqa: E402
from search.service import hit_from_raw  # noqa: E402
from search.text import highlight_pattern, parse_query  # noqa: E402

NOTES = [
    "",
    "How ours stays bounded (search/backends/postgres.py): the tsvector lives in a narrow "
    "match table (`hedang_search_match`: item id, the filter columns, `tsv` out of line; "
    "~100 bytes a row, the whole heap ~90 MiB at a million items) with the GIN index, and "
    "the documents (what a hit shows, `fullnames`, the small `tsv_head`) in the document "
    "table. (1) When the planner's statistics of `tsv` expect at least 1.25 × "
    "HEDANG_SEARCH_RANK_LIMIT matches (25,000), the query is common without counting; "
    "otherwise one bitmap pass over the match table reads the matches' ids up to the limit "
    "+ 1 (20,001): their number is the total. Every match costs one heap row (GIN has no "
    "index-only scans, and PostgreSQL 15.20's bitmap scans no longer skip all-visible pages): "
    "in the match table those rows sit ~80 to a page that stays in shared buffers, in the "
    "document table they were ~2 kB rows over 2 GB. (2) Above the limit, exact names come "
    "from a GIN index on `fullnames` and the rest by walking the match table's primary key "
    "backwards until the page is full, the bitmap scan switched off for that statement. "
    "(3) At or below the limit: exact names first, then the matches whose head (numbers, "
    "names, title: `tsv_head`) holds a phrase, ranked through a GIN index on `tsv_head`, "
    "then the newest other matches, chosen from the ids of the counting pass.",
    "",
    "The floor (`ORDER BY ts_rank(tsv, q)` on the match table) reads every match's "
    'tsvector, so for common phrases ours is far below it; "match" is the least a GIN '
    "query costs. pg_trgm (3.8–5.0 s for 2-character queries at 200,000 items earlier) "
    "cannot use its index for a 2-character pattern and was not rebuilt here.",
]


def _work(args):
    doc_rows, _, samples = synth.generate(*args)
    rows, matches = [], []
    for row in doc_rows:
        doc = IndexDocument(**dict(zip(FIELDS, row[:-1], strict=True)))
        rows.append((*row, doc.name_keys(), tsvector_literal(doc, HEAD_WEIGHTS)))
        matches.append((*(getattr(doc, c) for c in MATCH_COLUMNS), tsvector_literal(doc)))
    return rows, matches, samples


def build(
    dsn: str, items: int, seed: int, trgm: bool = True, index: bool = True
) -> tuple[dict, dict]:
    admin, name = dsn.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    conn = psycopg.connect(dsn, autocommit=True)
    ddl = DOC_DDL.replace("INTEGER", "BIGINT")
    conn.execute(ddl)
    for sql in COLUMNS_SQL:
        conn.execute(sql)
    households = items // synth.ITEMS_PER_HOUSEHOLD
    batches = [(h, min(BATCH, households - h), seed) for h in range(0, households, BATCH)]
    cols = ", ".join((*FIELDS, "fingerprint", "fullnames", "tsv_head"))
    marks = ", ".join(["%s"] * (len(FIELDS) + 3))
    match_cols = ", ".join((*MATCH_COLUMNS, "tsv"))
    match_marks = ", ".join(["%s"] * (len(MATCH_COLUMNS) + 1))
    samples: dict[str, list] = {}
    timings = {}
    t = time.monotonic()
    with Pool(2) as pool, conn.cursor() as cur:
        for rows, matches, batch_samples in pool.imap(_work, batches):
            cur.executemany(f"INSERT INTO {DOC} ({cols}) VALUES ({marks})", rows)
            cur.executemany(f"INSERT INTO {MATCH} ({match_cols}) VALUES ({match_marks})", matches)
            for key, values in batch_samples.items():
                samples.setdefault(key, []).extend(values)
    timings["insert_s"] = time.monotonic() - t
    if not index:  # --load-only: ``--finish`` copies the rows and builds the indexes once
        conn.execute(f"VACUUM ANALYZE {DOC}")
        conn.execute(f"VACUUM ANALYZE {MATCH}")
        return samples, timings
    t = time.monotonic()
    conn.execute("SET maintenance_work_mem = '1GB'")  # one pass per index, not many merges
    for sql in INDEX_SQL:  # the GIN indexes on tsv and fullnames
        conn.execute(sql)
    timings["gin_s"] = time.monotonic() - t
    t = time.monotonic()
    if trgm:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute(f"CREATE INDEX {DOC}_trgm ON {DOC} USING gin (text gin_trgm_ops)")
    timings["trgm_s"] = time.monotonic() - t
    conn.execute(f"VACUUM ANALYZE {DOC}")
    conn.execute(f"VACUUM ANALYZE {MATCH}")
    return samples, timings


def replicate(conn, target: int) -> int:
    """Copy the generated rows under new item ids until there are ``target`` rows (the
    Python generator makes ~10,000 items a minute on a loaded machine; copies in SQL are
    minutes for a million). Copies repeat the households, so an ID or a name matches as many
    times more rows as there are copies; phrase frequencies scale as with distinct items."""
    n, base = conn.execute(f"SELECT count(*), max(item_id) FROM {DOC}").fetchone()
    # A database of the layout before migration 0005 still has tsv in the document table.
    old = conn.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'tsv'",
        [DOC],
    ).fetchone()
    tables = [(DOC, (*FIELDS, "fingerprint", "fullnames", "tsv_head", *(["tsv"] if old else [])))]
    if not old:
        tables.append((MATCH, (*MATCH_COLUMNS, "tsv")))
    k = 1
    while n < target:
        for table, columns in tables:
            cols = ", ".join(columns)
            rest = cols.replace("item_id, ", "", 1)
            conn.execute(
                f"INSERT INTO {table} ({cols}) SELECT item_id + %s, {rest} FROM {table} "
                f"WHERE item_id <= %s ORDER BY item_id LIMIT %s",
                [k * base, base, target - n],
            )
        n = conn.execute(f"SELECT count(*) FROM {DOC}").fetchone()[0]
        print(f"  copy {k}: {n:,} rows", flush=True)
        k += 1
    return n


def finish(dsn: str, seed: int, target: int = 0) -> tuple[dict, dict, int]:
    """Use the rows an interrupted load left (copied up to ``target`` rows if given):
    indexes, VACUUM ANALYZE, and query samples drawn from the rows themselves (random
    households' head IDs, names, report numbers)."""
    conn = psycopg.connect(dsn, autocommit=True)
    timings = {}
    t = time.monotonic()
    if target:
        replicate(conn, target)
        timings["copy_s"] = time.monotonic() - t
        t = time.monotonic()
    conn.execute("SET maintenance_work_mem = '1GB'")
    with conn.cursor() as cur:  # the match table (from tsv if the rows have the old layout)
        move_tsv_to_match(cur)
    timings["gin_s"] = time.monotonic() - t
    conn.execute(f"VACUUM ANALYZE {DOC}")
    conn.execute(f"VACUUM ANALYZE {MATCH}")
    items, top = conn.execute(f"SELECT count(*), max(item_id) FROM {DOC}").fetchone()
    rng = random.Random(seed)
    ids = sorted({rng.randint(1, top) for _ in range(3000)})
    rows = conn.execute(
        f"SELECT agency_id, head_id_number, names, keys FROM {DOC} WHERE item_id = ANY(%s)",
        [ids],
    ).fetchall()
    samples: dict[str, list] = {"id": [], "name2": [], "name3": [], "name4": [], "report": []}
    for agency_id, head_id, names, keys in rows:
        head = names.split("\n")[0]
        samples["id"].append((head_id, agency_id))
        samples.setdefault(f"name{len(head)}", []).append((head, agency_id))
        samples["report"].append((keys.split("\n")[-2], agency_id))
    return samples, timings, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--dsn", default="postgres://postgres@127.0.0.1:5432/hedang_pgsearch_bench")
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20240306)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--no-trgm", action="store_true", help="skip the pg_trgm comparison")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database of an earlier run again"
    )
    parser.add_argument(
        "--finish", action="store_true", help="index and measure the rows an interrupted load left"
    )
    parser.add_argument(
        "--copy-to", type=int, default=0, help="with --finish: copy the rows up to this many"
    )
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="generate and insert the rows without indexes, then stop (for --finish --copy-to)",
    )
    args = parser.parse_args()
    saved = ROOT / "var" / "bench" / f"pg-{args.dsn.rsplit('/', 1)[1]}-{args.items}.json"
    loaded = args.items
    if args.finish:
        samples, timings, loaded = finish(args.dsn, args.seed, args.copy_to)
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps({"samples": samples, "timings": timings}))
    elif args.reuse:
        state = json.loads(saved.read_text())
        samples, timings = state["samples"], state["timings"]
    else:
        samples, timings = build(
            args.dsn, args.items, args.seed, trgm=not args.no_trgm, index=not args.load_only
        )
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps({"samples": samples, "timings": timings}))
        if args.load_only:
            print({k: round(v, 1) for k, v in timings.items()}, flush=True)
            return
    print({k: round(v, 1) for k, v in timings.items()}, flush=True)
    # No server-side prepared statements: Django's client-side binding gets a plan made for
    # each query's own tsquery; a prepared statement would switch to a generic plan after
    # five runs, whose estimate cannot tell a common phrase from a rare one.
    conn = psycopg.connect(args.dsn, autocommit=True, prepare_threshold=None)
    if args.reuse:  # tables and indexes added since the database was built (no-ops otherwise)
        conn.execute("SET maintenance_work_mem = '1GB'")
        with conn.cursor() as cur:
            move_tsv_to_match(cur)
        conn.execute("RESET maintenance_work_mem")
        conn.execute(f"ANALYZE {DOC}")
        conn.execute(f"ANALYZE {MATCH}")
    sizes = conn.execute(
        f"SELECT pg_relation_size('{MATCH}_tsv'), "
        f"coalesce(pg_relation_size(to_regclass('{DOC}_trgm')), 0), "
        f"pg_total_relation_size('{DOC}') + pg_total_relation_size('{MATCH}'), "
        f"pg_relation_size('{MATCH}')"
    ).fetchone()
    trgm = sizes[1] > 0
    load = os.getloadavg()
    mb = 1024 * 1024
    out = [
        PG_HEADING,
        "",
        f"`bench/search/pg.py --items {args.items}"
        + (" --finish" if args.finish else "")
        + f"`: {loaded:,} items, PostgreSQL "
        f"{conn.execute('SHOW server_version').fetchone()[0]}, the same synthetic data. "
        '"ours" = PostgresBackend.search (the matches\' ids up to the rank limit from the '
        "narrow match table; below it exact names, head matches ranked by `tsv_head`, then the "
        "newest; above it exact names through the `fullnames` GIN index then newest first by "
        'the primary key; documents, snippets); "floor" = the bare engine on the same table, '
        '`WHERE tsv @@ q ORDER BY ts_rank LIMIT 20`; "match" = `WHERE tsv @@ q LIMIT 20` '
        "(no order, no total: the least any GIN query costs)"
        + (
            "; \"trgm\" = pg_trgm GIN with `text ILIKE '%…%'` and a total, for comparison."
            if trgm
            else "."
        ),
        "",
        "- each query of a class runs once unmeasured (warm cache for all three columns), "
        "then 3 measured rounds",
        f"- machine: 2 CPUs shared with seven other engineers' jobs (load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the start of the measurement): "
        "absolute times are noisy, compare columns of the same run",
        f"- GIN indexes {timings.get('gin_s', 0):.0f} s; tsvector GIN {sizes[0] / mb:,.0f} MiB, "
        f"match table heap {sizes[3] / mb:,.0f} MiB, "
        f"both tables with indexes and TOAST {sizes[2] / mb:,.0f} MiB"
        + (f", load {timings['insert_s'] / 60:.1f} min" if "insert_s" in timings else ""),
        "",
        "| query | ours p50 | ours p95 | floor p50 | floor p95 | ours/floor p95 | match p50 "
        "| match p95 |" + (" trgm p50 | trgm p95 |" if trgm else ""),
        "|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if trgm else ""),
    ]
    print("\n".join(out), flush=True)
    rng = random.Random(args.seed)
    backend = PostgresBackend(conn)

    def pick(key: str) -> list[str]:
        return [v for v, _ in rng.sample(samples[key], min(args.per_kind, len(samples[key])))]

    kinds = {
        "full ID": pick("id"),
        "2-character name": pick("name2"),
        "3-character name": pick("name3"),
        "report number": pick("report"),
        "2-char phrase, tail word": rng.sample([w for w in synth.TAIL if len(w) == 2], 5),
        "2-char phrase, common": ["收入", "家庭", "核对"],
    }
    for kind, queries in kinds.items():
        t_ours, t_floor, t_match, t_trgm = [], [], [], []
        for round_ in range(4):
            if round_ == 1:  # round 0 warms the cache for all three: ours runs first
                t_ours, t_floor, t_match, t_trgm = [], [], [], []
            for q in queries:
                parsed = parse_query(q)
                t = time.perf_counter()
                raw = backend.search(parsed, Filters(), limit=20, facets=False)
                pattern = highlight_pattern(parsed)
                [hit_from_raw(h, pattern) for h in raw.hits]
                t_ours.append(time.perf_counter() - t)
                t = time.perf_counter()
                conn.execute(
                    f"SELECT item_id FROM {MATCH}, CAST(%s AS tsquery) q(q) WHERE tsv @@ q.q "
                    "ORDER BY ts_rank(tsv, q.q) DESC LIMIT 20",
                    [tsquery_literal(parsed)],
                ).fetchall()
                t_floor.append(time.perf_counter() - t)
                # The planner would scan the narrow match table for LIMIT 20 (its tsv is a
                # TOAST pointer, so a sequential scan looks cheap) and detoast every row.
                conn.execute("SET enable_seqscan = off")
                t = time.perf_counter()
                conn.execute(
                    f"SELECT item_id FROM {MATCH} WHERE tsv @@ CAST(%s AS tsquery) LIMIT 20",
                    [tsquery_literal(parsed)],
                ).fetchall()
                t_match.append(time.perf_counter() - t)
                conn.execute("RESET enable_seqscan")
                if trgm:
                    t = time.perf_counter()
                    like = "%" + parsed.phrases[0].runs[0] + "%"
                    conn.execute(
                        f"SELECT item_id, count(*) OVER () FROM {DOC} WHERE text ILIKE %s LIMIT 20",
                        [like],
                    ).fetchall()
                    t_trgm.append(time.perf_counter() - t)
        row = (
            f"| {kind} | {pct(t_ours, 50):.1f} | {pct(t_ours, 95):.1f} | {pct(t_floor, 50):.1f} "
            f"| {pct(t_floor, 95):.1f} | {pct(t_ours, 95) / pct(t_floor, 95):.2f} "
            f"| {pct(t_match, 50):.1f} | {pct(t_match, 95):.1f} |"
        )
        if trgm:
            row += f" {pct(t_trgm, 50):.1f} | {pct(t_trgm, 95):.1f} |"
        out.append(row)
        print(out[-1], flush=True)
    out += NOTES
    if args.write_docs:
        write_docs(ROOT / "docs" / "benchmarks.md", "\n".join(out) + "\n", part="pg")


if __name__ == "__main__":
    main()
