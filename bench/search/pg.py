"""PostgreSQL: the embedded backend's tsvector index vs the bare tsvector query (floor) vs
pg_trgm, on the same synthetic archive (bench/search/synth.py).

    .venv/bin/python bench/search/pg.py --items 200000 \\
        [--dsn postgres://postgres@127.0.0.1:5432/hedang_bench_search]

The database is dropped and created again. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
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
from search.backends.postgres import (  # noqa: E402
    COLUMNS_SQL,
    DOC,
    HEAD_WEIGHTS,
    INDEX_SQL,
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
    "pg_trgm cannot use its index for a 2-character pattern (no trigram fits) and scans every row: seconds for a 2-character name, so the backend uses the tsvector of the shared bigrams. Names, IDs and numbers stay far under 30 ms; a phrase in most items is slower than on SQLite because `ts_rank` reads every matching row's tsvector (200,000 items here, a fifth of the SQLite run).",
]


def _work(args):
    doc_rows, _, samples = synth.generate(*args)
    rows = []
    for row in doc_rows:
        doc = IndexDocument(**dict(zip(FIELDS, row[:-1], strict=True)))
        rows.append(
            (*row, tsvector_literal(doc), doc.name_keys(), tsvector_literal(doc, HEAD_WEIGHTS))
        )
    return rows, samples


def build(dsn: str, items: int, seed: int, trgm: bool = True) -> tuple[dict, dict]:
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
    cols = ", ".join((*FIELDS, "fingerprint", "tsv", "fullnames", "tsv_head"))
    marks = ", ".join(["%s"] * (len(FIELDS) + 4))
    samples: dict[str, list] = {}
    timings = {}
    t = time.monotonic()
    with Pool(2) as pool, conn.cursor() as cur:
        for rows, batch_samples in pool.imap(_work, batches):
            cur.executemany(f"INSERT INTO {DOC} ({cols}) VALUES ({marks})", rows)
            for key, values in batch_samples.items():
                samples.setdefault(key, []).extend(values)
    timings["insert_s"] = time.monotonic() - t
    t = time.monotonic()
    for sql in INDEX_SQL:  # the GIN indexes on tsv and fullnames
        conn.execute(sql)
    timings["gin_s"] = time.monotonic() - t
    t = time.monotonic()
    if trgm:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute(f"CREATE INDEX {DOC}_trgm ON {DOC} USING gin (text gin_trgm_ops)")
    timings["trgm_s"] = time.monotonic() - t
    conn.execute(f"VACUUM ANALYZE {DOC}")
    return samples, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--dsn", default="postgres://postgres@127.0.0.1:5432/hedang_bench_search")
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20240306)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--no-trgm", action="store_true", help="skip the pg_trgm comparison")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database of an earlier run again"
    )
    args = parser.parse_args()
    saved = ROOT / "var" / "bench" / f"pg-{args.dsn.rsplit('/', 1)[1]}-{args.items}.json"
    if args.reuse:
        state = json.loads(saved.read_text())
        samples, timings = state["samples"], state["timings"]
    else:
        samples, timings = build(args.dsn, args.items, args.seed, trgm=not args.no_trgm)
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps({"samples": samples, "timings": timings}))
    print({k: round(v, 1) for k, v in timings.items()}, flush=True)
    conn = psycopg.connect(args.dsn, autocommit=True)
    sizes = conn.execute(
        f"SELECT pg_relation_size('{DOC}_tsv'), pg_relation_size('{DOC}_trgm'), "
        f"pg_total_relation_size('{DOC}')"
    ).fetchone()
    mb = 1024 * 1024
    out = [
        PG_HEADING,
        "",
        f"`bench/search/pg.py --items {args.items}`: PostgreSQL "
        f"{conn.execute('SHOW server_version').fetchone()[0]}, the same synthetic data. "
        '"ours" = PostgresBackend.search (tsvector literal of the shared tokens, GIN, '
        '`ts_rank`, total, documents, snippets); "floor" = `WHERE tsv @@ q ORDER BY '
        "ts_rank LIMIT 20`; \"trgm\" = pg_trgm GIN with `text ILIKE '%…%'` and a total "
        "(unranked, page text only), for comparison.",
        "",
        f"- load {timings['insert_s'] / 60:.1f} min, GIN (tsvector) {timings['gin_s']:.0f} s, "
        f"GIN (trigram) {timings['trgm_s']:.0f} s; tsvector GIN {sizes[0] / mb:,.0f} MiB, "
        f"trigram GIN {sizes[1] / mb:,.0f} MiB, table with indexes {sizes[2] / mb:,.0f} MiB",
        "",
        "| query | ours p50 | ours p95 | floor p50 | floor p95 | trgm p50 | trgm p95 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(out), flush=True)
    rng = random.Random(args.seed)
    backend = PostgresBackend(conn)
    kinds = {
        "full ID": [v for v, _ in rng.sample(samples["id"], args.per_kind)],
        "2-character name": [v for v, _ in rng.sample(samples["name2"], args.per_kind)],
        "3-character name": [v for v, _ in rng.sample(samples["name3"], args.per_kind)],
        "report number": [v for v, _ in rng.sample(samples["report"], args.per_kind)],
        "2-char phrase, tail word": rng.sample([w for w in synth.TAIL if len(w) == 2], 5),
        "2-char phrase, common": ["收入", "家庭", "核对"],
    }
    for kind, queries in kinds.items():
        t_ours, t_floor, t_trgm = [], [], []
        for _round in range(3):
            for q in queries:
                parsed = parse_query(q)
                t = time.perf_counter()
                raw = backend.search(parsed, Filters(), limit=20, facets=False)
                pattern = highlight_pattern(parsed)
                [hit_from_raw(h, pattern) for h in raw.hits]
                t_ours.append(time.perf_counter() - t)
                t = time.perf_counter()
                conn.execute(
                    f"SELECT item_id FROM {DOC}, CAST(%s AS tsquery) q(q) WHERE tsv @@ q.q "
                    "ORDER BY ts_rank(tsv, q.q) DESC LIMIT 20",
                    [tsquery_literal(parsed)],
                ).fetchall()
                t_floor.append(time.perf_counter() - t)
                t = time.perf_counter()
                like = "%" + parsed.phrases[0].runs[0] + "%"
                conn.execute(
                    f"SELECT item_id, count(*) OVER () FROM {DOC} WHERE text ILIKE %s LIMIT 20",
                    [like],
                ).fetchall()
                t_trgm.append(time.perf_counter() - t)
        out.append(
            f"| {kind} | {pct(t_ours, 50):.1f} | {pct(t_ours, 95):.1f} | {pct(t_floor, 50):.1f} | "
            f"{pct(t_floor, 95):.1f} | {pct(t_trgm, 50):.1f} | {pct(t_trgm, 95):.1f} |"
        )
        print(out[-1], flush=True)
    out += NOTES
    if args.write_docs:
        write_docs(ROOT / "docs" / "benchmarks.md", "\n".join(out) + "\n", part="pg")


if __name__ == "__main__":
    main()
