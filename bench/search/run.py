"""Search benchmark: a synthetic archive in its own SQLite file, our query path vs the bare
FTS5 query (the engine floor), measured in the same run on the same data.

    .venv/bin/python bench/search/run.py --items 1000000 [--db PATH] [--write-docs]

"ours" is what search.service.search does after the ORM look-ups: parse the query, one
FTS5 query with jurisdiction/filters, exact-name ranking and bm25 column weights, the total,
loading the hits' documents and building their snippets. "floor" is
``SELECT rowid FROM fts WHERE fts MATCH '"<tokens>"' ORDER BY bm25(fts) LIMIT 20`` with the
same tokens (plus the same agency tokens when filtered); ``ORDER BY rank`` is about twice
as slow on large match sets (FTS5 sorts every row), so bm25() is the stricter floor.
Facets are measured separately.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.search import synth  # noqa: E402
from search.backends import Filters  # noqa: E402
from search.backends.sqlite import DOC, DOC_COLUMNS, FTS, Fts5Index  # noqa: E402
from search.service import hit_from_raw  # noqa: E402
from search.text import highlight_pattern, parse_query  # noqa: E402

# Bands of document frequency for the 2-character phrases (share of items containing it).
BANDS = [(0.005, 0.02), (0.02, 0.08), (0.08, 0.2), (0.2, 0.5), (0.5, 1.0)]
BATCH = 2000  # households per worker batch


def _work(args):
    return synth.generate(*args)


def build(path: Path, items: int, workers: int, seed: int) -> tuple[dict, dict]:
    if path.exists():
        path.unlink()
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=OFF",
        "synchronous=OFF",
        "cache_size=-2000000",
        "temp_store=MEMORY",
    ):
        conn.execute(f"PRAGMA {pragma}")
    index = Fts5Index(conn)
    index.create_schema(with_documents=True)
    households = items // synth.ITEMS_PER_HOUSEHOLD
    batches = [(h, min(BATCH, households - h), seed) for h in range(0, households, BATCH)]
    samples: dict[str, list] = {}
    timings = {}
    started = time.monotonic()
    cols = ", ".join(DOC_COLUMNS)
    marks = ", ".join("?" * len(DOC_COLUMNS))
    with Pool(workers) as pool:
        conn.execute("BEGIN")
        for n, (doc_rows, fts_rows, batch_samples) in enumerate(pool.imap(_work, batches), 1):
            conn.executemany(f"INSERT INTO {DOC} ({cols}) VALUES ({marks})", doc_rows)
            conn.executemany(
                f"INSERT INTO {FTS} (rowid, keys, names, title, body, meta, fullnames) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                fts_rows,
            )
            for key, values in batch_samples.items():
                samples.setdefault(key, []).extend(values)
            if n % 20 == 0:
                done = n * BATCH * synth.ITEMS_PER_HOUSEHOLD
                print(f"  {done:,} items, {time.monotonic() - started:.0f} s", flush=True)
        conn.execute("COMMIT")
    timings["insert_s"] = time.monotonic() - started
    t = time.monotonic()
    index.optimize()
    conn.execute("ANALYZE")
    timings["optimize_s"] = time.monotonic() - t
    timings["build_s"] = time.monotonic() - started
    conn.close()
    return samples, timings


def sizes(conn: sqlite3.Connection, path: Path) -> dict:
    out = {"file_bytes": path.stat().st_size}
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
        out["fts_bytes"] = sum(n for name, n in rows if name.startswith(FTS))
        out["doc_bytes"] = sum(n for name, n in rows if name.startswith(DOC))
    except sqlite3.OperationalError:  # dbstat not compiled in
        pass
    return out


def floor_match(parsed, agency_ids) -> str:
    parts = []
    for p in parsed.phrases:
        parts.append('"' + " ".join(p.tokens) + '"' + (" *" if p.prefix else ""))
    if agency_ids:
        parts.append("(" + " OR ".join(f'"\ue000a{i}"' for i in sorted(agency_ids)) + ")")
    return " AND ".join(parts)


def ours(index: Fts5Index, query: str, agency_ids, facets: bool = False):
    parsed = parse_query(query)
    filters = Filters(agency_ids=frozenset(agency_ids) if agency_ids else None)
    raw = index.search(parsed, filters, 20, 0, facets)
    pattern = highlight_pattern(parsed)
    return raw.total, [hit_from_raw(h, pattern) for h in raw.hits]


def floor(conn, match: str):
    sql = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH ? ORDER BY bm25({FTS}) LIMIT 20"
    return conn.execute(sql, (match,)).fetchall()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] * 1000


def measure(conn, kinds: dict[str, list[tuple[str, list | None]]], rounds: int) -> dict:
    index = Fts5Index(conn)
    out = {}
    for kind, queries in kinds.items():
        facets = kind.endswith("+ facets")
        if not queries:
            continue
        prepared = [(q, a, floor_match(parse_query(q), a)) for q, a in queries]
        for q, a, m in prepared:  # warm the page cache once
            ours(index, q, a, facets)
            floor(conn, m)
        t_ours, t_floor, totals = [], [], []
        for _ in range(rounds):
            for q, a, m in prepared:
                t = time.perf_counter()
                total, hits = ours(index, q, a, facets)
                t_ours.append(time.perf_counter() - t)
                t = time.perf_counter()
                floor(conn, m)
                t_floor.append(time.perf_counter() - t)
                totals.append(total)
        out[kind] = {
            "n": len(t_ours),
            "ours_p50": pct(t_ours, 50),
            "ours_p95": pct(t_ours, 95),
            "floor_p50": pct(t_floor, 50),
            "floor_p95": pct(t_floor, 95),
            "median_total": statistics.median(totals),
        }
        r = out[kind]
        print(
            f"{kind:34s} ours p50 {r['ours_p50']:7.2f} p95 {r['ours_p95']:7.2f} ms | "
            f"floor p50 {r['floor_p50']:7.2f} p95 {r['floor_p95']:7.2f} ms | "
            f"median total {r['median_total']:,.0f}",
            flush=True,
        )
    return out


def phrase_bands(conn, rng: random.Random) -> dict[tuple, list[tuple[str, float]]]:
    """2-character vocabulary words by share of items containing them (from a sample)."""
    top = conn.execute(f"SELECT max(item_id) FROM {DOC}").fetchone()[0]
    ids = rng.sample(range(1, top + 1), min(5000, top))
    texts = [
        t
        for (t,) in conn.execute(
            f"SELECT text FROM {DOC} WHERE item_id IN ({','.join(map(str, ids))})"
        )
    ]
    words = sorted({w for w in synth.WORDS + synth.TAIL if len(w) == 2})
    share = {w: sum(w in t for t in texts) / len(texts) for w in words}
    bands = {}
    for lo, hi in BANDS:
        inside = [(w, f) for w, f in share.items() if lo <= f < hi]
        bands[(lo, hi)] = rng.sample(inside, min(8, len(inside)))
    return bands


def query_sets(conn, samples: dict, per_kind: int, seed: int) -> dict:
    rng = random.Random(seed)
    _, cities = synth.regions()
    city_lists = list(cities.values())
    bands = phrase_bands(conn, rng)

    def pick(key):
        values = samples.get(key, [])
        return rng.sample(values, min(per_kind, len(values)))

    kinds: dict[str, list] = {}
    kinds["full ID"] = [(v, None) for v, _ in pick("id")]
    for n in (2, 3, 4):
        kinds[f"{n}-character name"] = [(v, None) for v, _ in pick(f"name{n}")]
    kinds["report number"] = [(v, None) for v, _ in pick("report")]
    for (lo, hi), words in bands.items():
        kinds[f"2-char phrase in {lo:.1%}–{hi:.0%} of items"] = [(w, None) for w, _ in words]
    kinds["1-character query"] = [(w, None) for w in "张伟收家娜"]
    kinds["full ID, region filter"] = [(v, [a]) for v, a in pick("id")]
    for n in (2, 3, 4):
        kinds[f"{n}-char name, region filter"] = [(v, [a]) for v, a in pick(f"name{n}")]
    kinds["report number, region filter"] = [(v, [a]) for v, a in pick("report")]
    for (lo, hi), words in bands.items():
        kinds[f"phrase {lo:.1%}–{hi:.0%}, city filter"] = [
            (w, rng.choice(city_lists)) for w, _ in words
        ]
    kinds["phrase 0.5%–2% + facets"] = [(w, None) for w, _ in bands[BANDS[0]]]
    return kinds


PG_HEADING = "### PostgreSQL backend"


def write_docs(path: Path, body: str, part: str = "main") -> None:
    """Put ``body`` into the "## Search" section of docs/benchmarks.md: the main part
    (this script) or the PostgreSQL subsection (bench/search/pg.py); the other part stays."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find("\n## Search")
    if start == -1:
        before, section, after = text.rstrip("\n") + "\n\n", "", ""
    else:
        end = text.find("\n## ", start + 1)
        before = text[: start + 1]
        section = text[start + 1 : end if end != -1 else len(text)]
        after = text[end:] if end != -1 else ""
    cut = section.find(PG_HEADING)
    main, pg = (section[:cut], section[cut:]) if cut != -1 else (section, "")
    if part == "main":
        main = body
    else:
        pg = body
        main = main or "## Search\n"
    section = main.rstrip("\n") + "\n" + ("\n" + pg.rstrip("\n") + "\n" if pg else "")
    path.write_text((before + section + after).rstrip("\n") + "\n", encoding="utf-8")


def render(items: int, timings: dict, size: dict, results: dict, args) -> str:
    mb = 1024 * 1024
    lines = [
        "## Search",
        "",
        f"`bench/search/run.py --items {args.items}` on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; {items:,} items in "
        f"{items // synth.ITEMS_PER_HOUSEHOLD:,} households, ~300 characters of OCR-like text "
        "per item (a third with spaces between characters), names, IDs, report and "
        "authorization numbers, amounts.",
        "",
    ]
    if args.note:
        lines += [args.note, ""]
    if timings:
        lines.append(
            f"- build: {timings['build_s'] / 60:.1f} min ({timings['insert_s'] / 60:.1f} min "
            f"generate + tokenise + insert, {timings['optimize_s'] / 60:.1f} min FTS5 optimize)"
        )
    lines.append(f"- database file: {size['file_bytes'] / mb:,.0f} MiB")
    if "fts_bytes" in size:
        lines.append(
            f"  (FTS5 index {size['fts_bytes'] / mb:,.0f} MiB, "
            f"document table {size['doc_bytes'] / mb:,.0f} MiB)"
        )
    lines += [
        "",
        'Latency in ms over distinct queries × rounds; "ours" = the service\'s query path '
        "(parse, one FTS5 query with jurisdiction/filters, exact-name ranking, total, hits' "
        'documents and snippets); "floor" = the bare FTS5 query on the same tokens '
        "(`MATCH … ORDER BY bm25(fts) LIMIT 20`, the faster of the two bare forms), measured "
        'alternately in the same run; "median total" is the number of matches.',
        "",
        "| query | n | ours p50 | ours p95 | floor p50 | floor p95 | p95 ratio | median total |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, r in results.items():
        ratio = r["ours_p95"] / r["floor_p95"] if r["floor_p95"] else float("nan")
        lines.append(
            f"| {kind} | {r['n']} | {r['ours_p50']:.2f} | {r['ours_p95']:.2f} | "
            f"{r['floor_p50']:.2f} | {r['floor_p95']:.2f} | {ratio:.2f}× | "
            f"{r['median_total']:,.0f} |"
        )
    lines += ["", *goal_lines(results), "", *NOTES]
    return "\n".join(lines) + "\n"


NOTES = [
    "How to read it:",
    "",
    "- The index holds one bigram per Han character (plus the run's last character alone) "
    "and whole words for digits/Latin; a query is an FTS5 phrase of the same tokens, so an "
    "ID, name or number is one or a few doclist look-ups and costs well under a millisecond; "
    "the ratio to the floor there is the fixed ~0.1–0.2 ms of Python around the query "
    "(parsing, loading 20 documents, snippets), not engine work.",
    "- A 2-character phrase is a single token: bm25 ranking must visit every item that "
    "contains it, so the floor's time grows with the number of matches. Ours counts the "
    "matches only up to 20,001 (`HEDANG_SEARCH_RANK_LIMIT`): up to 20,000 it ranks by bm25 "
    "and the total is exact; above, it returns exact names first, then the newest items "
    "(FTS5 walks the doclist in rowid order and stops after one page), and the total reads "
    '"20,000 or more" (`total_exact: false`). "median total" is what ours reports. The '
    "region/city filter is part of the FTS5 query (agency tokens), so it shrinks that work.",
    "- Facets are counted only up to 20,000 matches (`HEDANG_SEARCH_FACET_LIMIT`); above, "
    "every backend returns none (the caller should invite the user to narrow the search).",
    "- 1-character queries are prefix queries on the bigrams (no extra unigram index).",
    "- Re-run: `.venv/bin/python bench/search/run.py --items 1000000 --write-docs` "
    "(`--reuse` measures an existing database again without rebuilding).",
]


def goal_lines(results: dict) -> list[str]:
    exact = [k for k in results if "phrase" not in k and "1-character" not in k]
    worst = max((results[k]["ours_p95"] for k in exact), default=0.0)
    worst_ratio = max(
        (results[k]["ours_p95"] / max(results[k]["floor_p95"], 1e-9) for k in exact), default=0.0
    )
    out = [
        f"Goals: ID/name/number p95 ≤ 30 ms — worst here {worst:.2f} ms "
        f"({'met' if worst <= 30 else 'NOT met'}; worst ratio to floor {worst_ratio:.1f}×, "
        "see below). 2-character phrase p95 ≤ 150 ms and within 2× of the floor:",
    ]
    for kind, r in results.items():
        if "phrase" in kind and "facets" not in kind:
            ratio = r["ours_p95"] / max(r["floor_p95"], 1e-9)
            ok = r["ours_p95"] <= 150 and ratio <= 2
            out.append(
                f"- {kind}: p95 {r['ours_p95']:.1f} ms, {ratio:.2f}× floor — "
                f"{'met' if ok else 'not met'} (median {r['median_total']:,.0f} matches)"
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/hedang-bench-search.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="measure an existing --db")
    parser.add_argument("--per-kind", type=int, default=40, help="distinct queries per kind")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2)))
    parser.add_argument("--seed", type=int, default=20240306)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--note", default="", help="a line about this run for the docs")
    args = parser.parse_args()

    samples_file = args.db.with_suffix(".samples.json")
    build_file = args.db.with_suffix(".build.json")
    if args.reuse:
        samples = json.loads(samples_file.read_text())
        timings = json.loads(build_file.read_text()) if build_file.exists() else {}
    else:
        print(f"building {args.items:,} items in {args.db} …", flush=True)
        samples, timings = build(args.db, args.items, args.workers, args.seed)
        samples_file.write_text(json.dumps(samples, ensure_ascii=False))
        build_file.write_text(json.dumps(timings))
        print({k: round(v, 1) for k, v in timings.items()}, flush=True)
    conn = sqlite3.connect(args.db)
    conn.execute("PRAGMA cache_size=-2000000")
    items = conn.execute(f"SELECT count(*) FROM {DOC}").fetchone()[0]
    size = sizes(conn, args.db)
    print(size, flush=True)
    results = measure(conn, query_sets(conn, samples, args.per_kind, args.seed), args.rounds)
    section = render(items, timings, size, results, args)
    print(section)
    if args.write_docs:
        write_docs(ROOT / "docs" / "benchmarks.md", section)
        print("written to docs/benchmarks.md")


if __name__ == "__main__":
    main()
