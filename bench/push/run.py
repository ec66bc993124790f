"""Platform push under load: concurrent clients push distinct reports plus duplicates.

    .venv/bin/python bench/push/run.py [--reports 2000] [--duplicates 200] [--clients 20]
        [--server makerun,runserver,gunicorn] [--workers 4] [--threads 2]
        [--seal-workers 2] [--write]

A fresh installation in a temporary data directory, on PostgreSQL
(``--database-url``, default database ``hedang_pushbench``, dropped and re-created) and Redis
(``--redis``: the broker and the per-token rate-limit counters). The web server is started
as ``make run`` starts it (``makerun``: gunicorn, 3 workers × 4 threads, as scripts/run.sh),
with ``manage.py runserver`` (threaded) or with gunicorn as deployed (``--workers``,
``--threads``); DEBUG off as make run sets it. Each client
has its own platform token and pushes signed report PDFs (made before timing, signed by a
bench CA the server trusts); the duplicates are the same bytes again, half of them pushed
right next to their original by another client, so they race it.

The archive's seal is made by a Celery worker (``--seal-workers`` processes, as ``make run``
starts it: ``celery -A config worker -Q celery,ocr``) after each receipt; the run waits until
the last pushed report is sealed. Reported: reports filed per second (receipts) and sealed
per second (from the first push to the last seal), and the CPU of web server, worker and
PostgreSQL per report.

Afterwards the database is checked: every distinct report filed exactly once (0 lost, 0
duplicated), every duplicate answered 200 with the original's receipt, 件号 gap-free, the
operation log's hash chain intact. Reported: throughput (reports filed per second of
wall time) and latency percentiles.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.push.data import Job, make_jobs, make_pki  # noqa: E402
from bench.report import write_section  # noqa: E402

PY = sys.executable
HOST = "127.0.0.1"


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def reset_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def start_server(args, env: dict, log: Path) -> subprocess.Popen:
    if args.current in ("gunicorn", "makerun"):
        workers, threads = (3, 4) if args.current == "makerun" else (args.workers, args.threads)
        command = [
            str(Path(PY).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{args.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "120",
        ]
    else:
        command = [PY, "manage.py", "runserver", f"{HOST}:{args.port}", "--noreload"]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            requests.get(f"http://{HOST}:{args.port}/api/v1/schema", timeout=2)
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError("server did not start within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def start_worker(args, env: dict, log: Path) -> subprocess.Popen:
    command = [
        str(Path(PY).parent / "celery"),
        "-A",
        "config",
        "worker",
        "-Q",
        "celery,ocr",
        "-c",
        str(args.seal_workers),
        "--loglevel=WARNING",
        "-n",
        "bench-seal@%h",
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_sealed(url: str, expected: int, timeout: float = 600) -> tuple[float, int]:
    """Seconds until ``expected`` seal jobs are sealed (or the timeout), and how many are."""
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            sealed = conn.execute(
                "SELECT count(*) FROM push_sealjob WHERE status = 'sealed'"
            ).fetchone()[0]
            if sealed >= expected or time.perf_counter() - t0 > timeout:
                return time.perf_counter() - t0, sealed
            time.sleep(0.2)


def cpu_seconds(
    pgid: int | None = None, comm: str | None = None, cmdline: str | None = None
) -> float:
    """utime + stime of the live processes of a process group, or of a program name (whose
    command line contains ``cmdline``: PostgreSQL backends name their database there)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        if cmdline is not None:
            try:
                if cmdline.encode() not in (stat.parent / "cmdline").read_bytes():
                    continue
            except OSError:
                continue
        if (pgid is not None and int(fields[2]) == pgid) or (comm is not None and name == comm):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def schedule(jobs: list[Job], duplicates: int, clients: int, seed: int = 3) -> list[list[Job]]:
    """Per-client queues: the distinct jobs round-robin; each duplicate goes to another
    client, half right at its original's position (a race), half at the end."""
    rng = random.Random(seed)
    lanes: list[list[Job]] = [[] for _ in range(clients)]
    for n, job in enumerate(jobs):
        lanes[n % clients].append(job)
    for k, job in enumerate(rng.sample(jobs, duplicates)):
        lane = (job.index % clients + 1 + rng.randrange(clients - 1)) % clients
        position = job.index // clients if k % 2 == 0 else len(lanes[lane])
        lanes[lane].insert(min(position, len(lanes[lane])), job)
    return lanes


def run_clients(lanes: list[list[Job]], tokens: list[str], port: int) -> tuple[list, float]:
    import requests

    results: list = []
    lock = threading.Lock()
    start_gate = threading.Event()
    url = f"http://{HOST}:{port}/api/v1/reports"

    def client(lane: list[Job], token: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        start_gate.wait()
        for job in lane:  # bounded: one request per job, a retry only after a 429
            for _attempt in range(5):
                t0 = time.perf_counter()
                try:
                    response = session.post(
                        url,
                        data={"metadata": job.metadata},
                        files={"file": (job.pdf.name, job.pdf.read_bytes(), "application/pdf")},
                        timeout=120,
                    )
                    status, body = response.status_code, response.json()
                except (requests.RequestException, ValueError) as exc:
                    status, body = 0, {"error": str(exc)}
                elapsed = time.perf_counter() - t0
                if status != 429:
                    break
                time.sleep(float(response.headers.get("Retry-After", "1")))
            with lock:
                results.append((job.index, job.report_number, status, body, elapsed))

    threads = [
        threading.Thread(target=client, args=(lane, tok))
        for lane, tok in zip(lanes, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    t0 = time.perf_counter()
    start_gate.set()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - t0


def verify(url: str, jobs: list[Job], results: list) -> dict:
    import psycopg

    numbers = {job.report_number for job in jobs}
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT document_number, archive_number, item_number, class_key FROM archive_item"
            " WHERE category = 'report'"
        ).fetchall()
        receipts = conn.execute("SELECT count(*) FROM archive_platformreceipt").fetchone()[0]
        files = conn.execute("SELECT role, count(*) FROM archive_file GROUP BY role").fetchall()
        tasks = conn.execute("SELECT count(*), count(file_id) FROM archive_printtask").fetchone()
        seals = dict(
            conn.execute("SELECT status, count(*) FROM push_sealjob GROUP BY status").fetchall()
        )
        # Every filed report in the search index (indexed when it is filed, before the receipt).
        indexed = conn.execute(
            "SELECT count(*) FROM hedang_search_document d JOIN archive_item i"
            " ON i.id = d.item_id WHERE i.category = 'report'"
        ).fetchone()[0]
    filed = [r[0] for r in rows]
    per_class: dict[str, list[int]] = {}
    for _doc, _an, number, class_key in rows:
        per_class.setdefault(class_key, []).append(number)
    gap_free = all(sorted(v) == list(range(1, len(v) + 1)) for v in per_class.values())
    first_receipt: dict[str, dict] = {}
    for _i, number, status, body, _t in results:
        if status == 201:
            first_receipt[number] = body
    replay_ok = all(
        body == first_receipt.get(number)
        for _i, number, status, body, _t in results
        if status == 200
    )
    statuses: dict[int, int] = {}
    for *_rest, status, _body, _t in results:
        statuses[status] = statuses.get(status, 0) + 1
    failures = [
        {"report": number, "status": status, "body": str(body)[:300]}
        for _i, number, status, body, _t in results
        if status not in (200, 201)
    ]
    return {
        "failures": failures[:10],
        "lost": len(numbers - set(filed)),
        "duplicated": len(filed) - len(set(filed)),
        "unexpected": len(set(filed) - numbers),
        "items": len(filed),
        "receipts": receipts,
        "files": dict(files),
        "print_tasks": list(tasks),
        "seal_jobs": seals,
        "indexed": indexed,
        "gap_free": gap_free,
        "classes": len(per_class),
        "replays_match": replay_ok,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--duplicates", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--server",
        default="makerun",
        help="comma-separated: makerun (gunicorn as make run starts it), runserver, gunicorn",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument(
        "--seal-workers", type=int, default=2, help="Celery worker processes (the seal)"
    )
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/hedang_pushbench"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hedang-bench-push-"))
    summaries = []
    try:
        t0 = time.perf_counter()
        make_pki(work / "pki")
        jobs = make_jobs(args.reports, work, work / "pki")
        print(f"[bench] {len(jobs)} signed reports made in {time.perf_counter() - t0:.1f} s")
        for server in args.server.split(","):
            args.current = server.strip()
            summary = run_once(args, work, jobs)
            print(json.dumps(summary, ensure_ascii=False, indent=2))
            summaries.append(summary)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.write:
        write_section("push", report_body(args, summaries))


def run_once(args, work: Path, jobs: list[Job]) -> dict:
    """A fresh installation (database, data directory), one server, all clients."""
    data = work / f"data-{args.current}"
    env = {
        **os.environ,
        "HEDANG_DATA_DIR": str(data),
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.redis,
        "HEDANG_TRUST_ROOTS_DIR": str(work / "pki" / "trust"),
        "HEDANG_LOG_LEVEL": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }
    env["HEDANG_DEBUG"] = "0"  # as deployed, and as make run starts it
    reset_database(args.database_url)
    database = args.database_url.rsplit("/", 1)[1]
    subprocess.run(["redis-cli", "-u", args.redis, "flushdb"], capture_output=True)
    manage(env, "migrate", "-v0")
    manage(env, "load_regions")
    manage(env, "create_archive_certificate", "--json")
    script = (
        "import json; from archive.models import Agency; from archive.tokens import create_token;"
        "a = Agency.objects.get(region_code='420100');"
        f"print(json.dumps([create_token(f'bench-{{n}}', a).secret for n in range({args.clients})]))"
    )
    tokens = json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])
    lanes = schedule(jobs, args.duplicates, args.clients)
    server = start_server(args, env, work / f"server-{args.current}.log")
    worker = start_worker(args, env, work / f"worker-{args.current}.log")
    try:
        time.sleep(5)  # the worker's start (its CPU is not counted below)
        load_before = os.getloadavg()[0]
        server_cpu, pg_cpu = (
            cpu_seconds(pgid=server.pid),
            cpu_seconds(comm="postgres", cmdline=database),
        )
        worker_cpu = cpu_seconds(pgid=worker.pid)
        results, wall = run_clients(lanes, tokens, args.port)
        server_cpu = cpu_seconds(pgid=server.pid) - server_cpu
        backlog, sealed = wait_sealed(args.database_url, len(jobs))
        worker_cpu = cpu_seconds(pgid=worker.pid) - worker_cpu
        pg_cpu = cpu_seconds(comm="postgres", cmdline=database) - pg_cpu
        load_after = os.getloadavg()[0]
    finally:
        stop_server(server)
        stop_server(worker)
    check = verify(args.database_url, jobs, results)
    audit = json.loads(manage(env, "verify_audit", "--json"))

    latencies = [r[4] for r in results]
    created = [r[4] for r in results if r[2] == 201]
    replays = [r[4] for r in results if r[2] == 200]

    def pct(values: list[float], p: float) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000

    label = {
        "makerun": "gunicorn 3×4 gthread (make run)",
        "runserver": "runserver",
        "gunicorn": f"gunicorn {args.workers}×{args.threads} gthread",
    }
    return {
        "server": label[args.current],
        "requests": len(results),
        "wall_s": round(wall, 1),
        "filed_per_s": round(len(created) / wall, 1),
        "sealed_per_s": round(sealed / (wall + backlog), 1),
        "sealed": sealed,
        "backlog_s": round(backlog, 1),
        "worker_cpu_ms_per_filed": round(worker_cpu / max(1, len(created)) * 1000, 1),
        "requests_per_s": round(len(results) / wall, 1),
        "p50_ms": round(pct(latencies, 50)),
        "p95_ms": round(pct(latencies, 95)),
        "p99_ms": round(pct(latencies, 99)),
        "p95_filed_ms": round(pct(created, 95)) if created else None,
        "p95_replay_ms": round(pct(replays, 95)) if replays else None,
        "mean_ms": round(statistics.fmean(latencies) * 1000),
        "load_avg": [round(load_before, 1), round(load_after, 1)],
        "server_cpu_ms_per_request": round(server_cpu / len(results) * 1000, 1),
        "postgres_cpu_ms_per_request": round(pg_cpu / len(results) * 1000, 1),
        "server_cpu_ms_per_filed": round(server_cpu / max(1, len(created)) * 1000, 1),
        **check,
        "audit": audit,
    }


BASELINE = {
    "filed_per_s": 13.3,
    "cpu_ms_per_report": 83.9 + 5.7,
    "what": "2026-11-27, 2000 reports, the seal and the print copy in the request",
}


def report_body(args, summaries: list[dict]) -> str:
    cpus = os.cpu_count() or 1
    lines = [
        "## Push",
        "",
        f"`bench/push/run.py --reports {args.reports} --duplicates {args.duplicates} "
        f"--clients {args.clients} --server {args.server} --seal-workers {args.seal_workers}` "
        f"on {cpus} CPUs shared with the other engineers' jobs (load averages below), "
        "PostgreSQL + Redis, a fresh installation per server. Each client has its own token "
        "and pushes signed report PDFs (bench CA in the trust roots); every push is validated "
        "with pyHanko, its text extracted, filed with a 档号 and answered with a receipt "
        "(已接收，封存中); a Celery worker then seals the access copy with the archive's "
        "visible CJK stamp. The 归档章 print copy is made when it is printed, not at push. "
        "Half the duplicates race their original from another client. Sealed/s counts from "
        "the first push until the last report is sealed.",
        "",
        "| server | requests | wall s | reports filed/s | reports sealed/s | backlog sealed "
        "after s | p50 ms | p95 ms | p99 ms | load before/after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in summaries:
        lines.append(
            f"| {s['server']} | {s['requests']} | {s['wall_s']} | {s['filed_per_s']} | "
            f"{s['sealed_per_s']} | {s['backlog_s']} | {s['p50_ms']} | {s['p95_ms']} | "
            f"{s['p99_ms']} | {s['load_avg'][0]} / {s['load_avg'][1]} |"
        )
    lines += [
        "",
        "CPU time per filed report, measured from /proc (so other jobs on the machine do not "
        "inflate it), and the ceiling it implies if the push had all "
        f"{cpus} CPUs to itself ({cpus} cores ÷ CPU per report):",
        "",
    ]
    for s in summaries:
        web = s["server_cpu_ms_per_filed"]
        seal = s["worker_cpu_ms_per_filed"]
        pg = round(s["postgres_cpu_ms_per_request"] * s["requests"] / max(1, s["items"]), 1)
        total = web + seal + pg
        lines.append(
            f"- {s['server']}: web server {web} ms + seal worker {seal} ms + PostgreSQL {pg} ms "
            f"= {total:.1f} ms per report → at most ≈{cpus * 1000 / total:.0f} reports/s "
            f"filed and sealed on this machine (web alone: ≈{cpus * 1000 / (web + pg):.0f} "
            f"filed/s). Baseline ({BASELINE['what']}): {BASELINE['filed_per_s']} reports/s, "
            f"{BASELINE['cpu_ms_per_report']:.1f} ms CPU per report: now "
            f"{s['filed_per_s'] / BASELINE['filed_per_s']:.2f}× filed/s, "
            f"{s['sealed_per_s'] / BASELINE['filed_per_s']:.2f}× sealed/s, "
            f"{total / BASELINE['cpu_ms_per_report']:.2f}× the CPU per report."
        )
    lines.append("")
    for s in summaries:
        ok = (
            s["lost"] == 0
            and s["duplicated"] == 0
            and s["replays_match"]
            and s["gap_free"]
            and s["sealed"] == s["items"]
            and s["indexed"] == s["items"]
        )
        lines.append(
            f"- {s['server']}: statuses {s['statuses']}; **lost {s['lost']}, duplicated "
            f"{s['duplicated']}**; {s['items']} items, {s['receipts']} receipts, files "
            f"{s['files']}, seal jobs {s['seal_jobs']}, {s['indexed']} in the search index; "
            f"duplicates got the original receipt: "
            f"{s['replays_match']}; 件号 gap-free in {s['classes']} classes: {s['gap_free']}; "
            f"p95 filing {s['p95_filed_ms']} ms, p95 replay {s['p95_replay_ms']} ms; "
            f"operation log {s['audit']['entries']} entries, chain intact: "
            f"{s['audit']['intact']}. {'Pass' if ok else 'FAIL'}."
        )
    best = max(s["sealed_per_s"] for s in summaries)
    lines += [
        "",
        f"Goal ≥ 50 reports/s filed and sealed: {'met' if best >= 50 else 'not met'} "
        f"(best {best}/s sealed).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
