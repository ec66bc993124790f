"""The retention sweep over a large archive on PostgreSQL: time and peak memory.

    .venv/bin/python bench/retention/run.py --items 1000000 \\
        [--dsn postgres://postgres@127.0.0.1:5432/hedang_retention] [--write-docs]

The database is dropped, created and migrated; the items are inserted set-based
(generate_series), a tenth of them in households, some held. Then, in the same run:

* the floor: the bare SELECT of the due archive numbers streamed through psycopg (no Django,
  no hold check, no JSON);
* ``manage.py retention_sweep --as-of 2030-01-01 --json`` as a separate process under
  ``/usr/bin/time -v`` (wall time and peak RSS), its stdout counted, not kept.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2030-01-01"
START, END = "<!-- bench:retention:start -->", "<!-- bench:retention:end -->"


def manage(dsn: str, *args: str, timed: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": dsn, "HEDANG_DEBUG": "0"}
    command = [str(ROOT / ".venv/bin/python"), "manage.py", *args]
    if timed:
        command = ["/usr/bin/time", "-v", *command]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)


def build(dsn: str, items: int) -> None:
    admin, name = dsn.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    manage(dsn, "migrate", "-v0")
    manage(dsn, "load_regions")
    with psycopg.connect(dsn, autocommit=True) as conn:
        agency = conn.execute(
            "SELECT id FROM archive_agency WHERE region_code='420102'"
        ).fetchone()[0]
        households = max(1, items // 10)
        conn.execute(
            """INSERT INTO archive_household (agency_id, head_id_number, head_name, address, phone,
                   created_at, updated_at)
               SELECT %s, lpad(g::text, 18, '0'), '户主' || g, '', '', now(), now()
               FROM generate_series(1, %s) g""",
            (agency, households),
        )
        first_household = conn.execute("SELECT min(id) FROM archive_household").fetchone()[0]
        conn.execute(
            """INSERT INTO archive_item (household_id, agency_id, category, title, document_number,
                   responsible, formation_date, year, retention, retention_start, security_level,
                   archive_number, class_key, item_number, page_count, carrier, paper_location,
                   status, status_detail, remarks, fields, created_at, updated_at)
               SELECT CASE WHEN g %% 10 = 0 THEN %s + (g / 10) %% %s END, %s,
                      (ARRAY['process','proof','report','report_application'])[1 + g %% 4],
                      '件' || g, '', '', make_date(2010 + g %% 20, 6, 1), 2010 + g %% 20, 'D10',
                      make_date(2011 + g %% 20, 1, 1), '',
                      'Z420102-HD·' || (2010 + g %% 20) || '-D10-B-' || lpad(g::text, 7, '0'),
                      'B' || (2010 + g %% 20), g, 1, 'electronic', '', 'filed', '', '', '{}',
                      now(), now()
               FROM generate_series(1, %s) g""",
            (first_household, households, agency, items),
        )
        conn.execute("ANALYZE")
    # A few holds: one manual per ~1,000 households.
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO retention_hold (household_id, agency_id, reason, placed_at, lift_reason)
               SELECT id, agency_id, '基准测试', now(), '' FROM archive_household WHERE id % 997 = 0"""
        )


def floor(dsn: str) -> tuple[float, int]:
    started = time.perf_counter()
    n = 0
    with psycopg.connect(dsn) as conn, conn.cursor(name="floor") as cur:
        cur.itersize = 20000
        cur.execute(
            "SELECT archive_number FROM archive_item WHERE status='filed' AND retention_start <= %s",
            ("2020-01-01",),
        )
        for _row in cur:
            n += 1
    return time.perf_counter() - started, n


def sweep(dsn: str) -> tuple[float, float, int, int]:
    done = manage(dsn, "retention_sweep", "--as-of", AS_OF, "--json", timed=True)
    report = done.stderr.decode()
    wall = re.search(r"Elapsed \(wall clock\) time.*?: (?:(\d+):)?(\d+):([\d.]+)", report)
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", report).group(1))
    result = json.loads(done.stdout)
    return seconds, rss_kb / 1024, len(result["due"]), len(result["held"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--dsn", default="postgres://postgres@127.0.0.1:5432/hedang_retention")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    build(args.dsn, args.items)
    built = time.perf_counter() - t0
    floor_s, floor_n = floor(args.dsn)
    sweep_s, rss_mb, due, held = sweep(args.dsn)
    load = os.getloadavg()[0]
    table = "\n".join(
        [
            START,
            f"`bench/retention/run.py --items {args.items}` on PostgreSQL, `--as-of {AS_OF}`: "
            f"{due:,} of {args.items:,} items due, {held:,} of them held; built in {built:.0f} s; "
            f"2 cores shared with other work (load average {load:.1f} during the run), so "
            "absolute times are noisy: compare the ratio to the floor measured in the same run.",
            "",
            "| | seconds | peak memory (MB) | ratio to floor |",
            "|---|---:|---:|---:|",
            f"| floor: bare SELECT of the due numbers streamed by psycopg ({floor_n:,} rows) | {floor_s:.1f} | — | 1.00 |",
            f"| `manage.py retention_sweep --json` (whole process: Django start, holds, JSON) | {sweep_s:.1f} | {rss_mb:.0f} | {sweep_s / floor_s:.2f} |",
            "",
            f"Goal: under 60 s and under 500 MB — {'met' if sweep_s < 60 and rss_mb < 500 else 'NOT met'}.",
            END,
        ]
    )
    print(table)
    if args.write_docs:
        docs = ROOT / "docs/benchmarks.md"
        text = docs.read_text()
        if START in text:
            text = re.sub(re.escape(START) + ".*?" + re.escape(END), table, text, flags=re.S)
        else:
            text += "\n## Retention sweep\n\n" + table + "\n"
        docs.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
