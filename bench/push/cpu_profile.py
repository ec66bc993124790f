"""Where one push's CPU goes: in-process pushes through Django's test client, under cProfile.

    .venv/bin/python bench/push/cpu_profile.py [--reports 60] [--top 40] [--seal]
        [--code /work/main]

A fresh SQLite installation in a temporary data directory (or ``DATABASE_URL`` if set: give
it a database of your own, it is migrated), a bench CA the archive trusts, signed reports
made before timing. The first pushes warm the caches (fonts, certificates, Django); the
rest are timed: CPU ms per push (``time.process_time``), then the profile's top functions
by cumulative time. ``--seal`` also seals what was pushed (the worker's part) and times it,
after drawing each agency's stamp once (the font subset and appearances are made once per
process and day, not per report). ``--code`` runs another checkout's code (e.g. main's)
with this same script and data, for a ratio measured in one run.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if "--code" in sys.argv:  # before anything of the project is imported
    CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
    sys.path.insert(0, str(CODE))
    os.chdir(CODE)
sys.path.insert(1, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=60)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--seal", action="store_true", help="also time the deferred seal")
    parser.add_argument("--queries", action="store_true", help="print one push's SQL")
    parser.add_argument("--dump", type=Path, help="write the profile (pstats) to this file")
    parser.add_argument("--work", type=Path, help="a folder kept between runs (else a temp one)")
    parser.add_argument("--code", type=Path, help="the checkout whose code runs (default: this)")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="hedang-push-profile-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["HEDANG_DATA_DIR"] = str(work / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["HEDANG_LOG_LEVEL"] = "ERROR"
    from bench.push.data import make_jobs, make_pki

    if not (work / "pki" / "trust").exists():
        make_pki(work / "pki")
    os.environ["HEDANG_TRUST_ROOTS_DIR"] = str(work / "pki" / "trust")
    jobs = make_jobs(args.reports + args.warm, work, work / "pki")
    pristine = work / "pristine"
    if (work / "data").exists():  # a kept folder: a fresh installation each run
        shutil.rmtree(work / "data")
    if pristine.exists() and not os.environ.get("DATABASE_URL"):
        shutil.copytree(pristine, work / "data")

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    if not pristine.exists() or os.environ.get("DATABASE_URL"):
        call_command("migrate", verbosity=0)
        call_command("load_regions", verbosity=0)
        if args.work and not os.environ.get("DATABASE_URL"):
            shutil.copytree(work / "data", pristine)
    from archive.models import Agency
    from archive.tokens import create_token

    secret = create_token("profile", Agency.objects.get(region_code="420100")).secret
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}", HTTP_HOST="127.0.0.1")

    def push(job) -> None:
        with job.pdf.open("rb") as fh:
            response = client.post(
                "/api/v1/reports", {"metadata": job.metadata, "file": fh}, format="multipart"
            )
        if response.status_code != 201:
            raise SystemExit(f"{response.status_code}: {response.content[:500]!r}")

    for job in jobs[: args.warm]:
        push(job)
    timed = jobs[args.warm :]
    if args.queries:
        from django.db import connection

        statements: list[str] = []

        def spy(execute, sql, params, many, context):
            statements.append(sql[:160])
            return execute(sql, params, many, context)

        with connection.execute_wrapper(spy):
            push(timed.pop())
        print(f"{len(statements)} statements:", *statements, sep="\n  ")
    profile = cProfile.Profile()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if args.top:  # --top 0: no profiler, so the CPU figure is not inflated by it
        profile.enable()
    for job in timed:
        push(job)
    profile.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    result = {"pushes": len(timed), "cpu_ms_per_push": round(cpu / len(timed) * 1000, 1)}
    result["wall_ms_per_push"] = round(wall / len(timed) * 1000, 1)
    if args.seal:
        result.update(seal_backlog(profile))
    if args.dump:
        profile.dump_stats(args.dump)
    if args.top:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    print(json.dumps(result))


def seal_backlog(profile: cProfile.Profile) -> dict:
    from archive import signing
    from archive.models import File, Item
    from archive.storage import read_blob
    from push import sealing

    pending = list(sealing.pending_ids())
    sample = read_blob(File.objects.filter(role=File.Role.ORIGINAL).first().sha256)
    items = Item.objects.filter(pk__in=pending).select_related("agency")
    for name, filed_at in {(i.agency.name, i.filed_at) for i in items}:
        signing.seal_pdf(sample, signing.stamp_lines(name, filed_at))  # untimed warm-up
    cpu0 = time.process_time()
    if os.environ.get("PROFILE_SEAL"):
        profile.enable()
    for item_id in pending:
        sealing.seal_item(item_id, worker="profile")
    profile.disable()
    cpu = time.process_time() - cpu0
    return {"sealed": len(pending), "seal_cpu_ms": round(cpu / max(1, len(pending)) * 1000, 1)}


if __name__ == "__main__":
    main()
