"""Ingest throughput: 300-dpi Chinese A4 scans through the whole pipeline, against Tesseract.

    .venv/bin/python bench/ingest/run.py [--documents 12] [--write]

The floor is Tesseract alone on the same page images (chi_sim+eng, OMP_THREAD_LIMIT=1, one
process per core). The pipeline is the real thing as `make run` starts it: a fresh embedded
installation, a Celery worker with one process per core, `manage.py ingest` without --sync,
timed from submission until every document is finished. Both are reported in pages per
minute; the goal is a ratio of at least 0.7.

Beside the wall-clock ratio, the CPU seconds each side spent (its processes and their children:
Tesseract, ocrmypdf, the worker's pool) are reported: on a machine shared with other work the
wall clock follows the neighbours' load, the CPU spent much less. The load average before and
after the run is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.report import write_section  # noqa: E402
from tests.synthetic import make_households, render_form  # noqa: E402
from tests.synthetic.degrade import degrade  # noqa: E402
from tests.synthetic.scans import write_tiff  # noqa: E402

FORMS = ("plain", "authorization", "report", "home_visit")
CORES = os.cpu_count() or 2


def make_scans(folder: Path, documents: int) -> tuple[list[Path], list[Path], list]:
    """Multi-page TIFFs (what the pipeline gets) and the same pages as PNGs (the floor's)."""
    households = make_households(documents, seed=11)
    tiffs, pngs = [], []
    for index, household in enumerate(households):
        form = FORMS[index % len(FORMS)]
        pages = [
            degrade(img, "scan", seed=index * 10 + n)
            for n, img in enumerate(render_form(form, household).images)
        ]
        tiff = folder / "scans" / f"{index:03d}-{form}.tif"
        tiff.parent.mkdir(parents=True, exist_ok=True)
        write_tiff(pages, tiff)
        tiffs.append(tiff)
        for n, page in enumerate(pages):
            png = folder / "pages" / f"{index:03d}-{n}.png"
            png.parent.mkdir(parents=True, exist_ok=True)
            page.save(png, dpi=(300, 300))
            pngs.append(png)
    return tiffs, pngs, households


def children_cpu() -> float:
    """CPU seconds of this process's finished (reaped) children and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_cpu(pid: int) -> float:
    """CPU seconds a live process and its descendants have spent so far (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in stat[11:15]) / ticks  # utime stime cutime cstime
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        todo.extend(int(c) for c in children)
    return total


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def tesseract_floor(pngs: list[Path]) -> tuple[float, float]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(png: Path) -> None:
        subprocess.run(
            ["tesseract", str(png), "stdout", "-l", "chi_sim+eng"],
            env=env,
            capture_output=True,
            check=True,
        )

    start, cpu = time.perf_counter(), children_cpu()
    with ThreadPoolExecutor(max_workers=CORES) as pool:
        list(pool.map(one, pngs))
    return time.perf_counter() - start, children_cpu() - cpu


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(result.stderr[-2000:])
    return result.stdout


def pipeline(folder: Path, tiffs: list[Path], households) -> tuple[float, float, list[dict]]:
    data = folder / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(HEDANG_DATA_DIR=str(data), OMP_THREAD_LIMIT="1")
    _manage(env, "migrate", "-v0")
    _manage(env, "load_regions")
    register = "; ".join(
        f"Household.objects.create(agency=Agency.objects.get(region_code='{h.region_code}'),"
        f"head_id_number='{h.head_id}', head_name='{h.head_name}')"
        for h in households
    )
    _manage(env, "shell", "-c", f"from archive.models import Agency, Household; {register}")
    cpu_before = children_cpu()
    log = folder / "worker.log"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "celery,ocr",
            "-c",
            str(CORES),
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # Let the worker finish starting: its start-up is not ingest work (neither its time
        # nor its CPU, which is taken off below). The worker logs at WARNING, so there is no
        # "ready." line to wait for: wait for its pool, then for the pool's models to load.
        deadline = time.monotonic() + 120
        while len(_children(worker.pid)) < CORES and time.monotonic() < deadline:
            time.sleep(0.2)
        started = _settled_cpu(worker.pid, deadline)
        start = time.perf_counter()
        ingest_before = children_cpu()
        out = _manage(env, "ingest", *map(str, tiffs), "--json")
        elapsed = time.perf_counter() - start
        command = children_cpu() - ingest_before
        working = tree_cpu(worker.pid) - started
    finally:
        # TERM to the main process only, as `make run` and the systemd unit (KillMode=mixed)
        # stop it: it shuts its pool down itself. TERM to the whole group killed the pool
        # processes first, and the main process forked new ones (loading the models again)
        # before it noticed the shutdown: 1.3 CPU s of the old "worker shutdown".
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    cpu = children_cpu() - cpu_before - started
    parts = {
        "ingest command": command,
        "worker": working,
        "worker shutdown": cpu - command - working,
    }
    reports = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return elapsed, cpu, reports, parts


def _settled_cpu(pid: int, deadline: float) -> float:
    """The worker's CPU once its start-up is over: its pool processes load ocrmypdf and the
    models (``worker_process_init``) after the main process says "ready.", and on a loaded
    machine that takes longer than any fixed wait. Settled: under 0.05 CPU s in half a
    second."""
    time.sleep(1)
    last = tree_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = tree_cpu(pid)
        if now - last < 0.05:
            return now
        last = now
    return last


def step_breakdown(tiff: Path) -> dict[str, float]:
    """Where one document's time goes, measured in this process on a single core."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from ingest import ocr, scanprep, sniff

    data = tiff.read_bytes()
    times = {}
    t = time.perf_counter()
    sniffed = sniff.sniff(tiff.name, data)
    times["sniff"] = time.perf_counter() - t
    t = time.perf_counter()
    pdf = scanprep.prepare(data, sniffed.media_type).pdf
    times["page checks + orientation + deskew + normalise (OpenCV, img2pdf)"] = (
        time.perf_counter() - t
    )
    t = time.perf_counter()
    output = ocr.run_ocr(pdf, has_text=False, deskew=False)
    times["ocrmypdf (table OCR, text layer, PDF/A)"] = time.perf_counter() - t
    t = time.perf_counter()
    ocr.render_thumbnails(output.pdf)
    times["thumbnails"] = time.perf_counter() - t
    from scanning.separators import read_page_codes

    t = time.perf_counter()
    read_page_codes(output.pdf, output.page_texts)
    times["separator-sheet QR scan (filing step)"] = time.perf_counter() - t
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=12)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hedang-bench-ingest-"))
    try:
        tiffs, pngs, households = make_scans(folder, args.documents)
        pages = len(pngs)
        print(f"{len(tiffs)} documents, {pages} pages", flush=True)
        load_before = loadavg()
        floor, floor_cpu = tesseract_floor(pngs)
        print(f"tesseract floor: {floor:.1f} s, {floor_cpu:.1f} CPU s", flush=True)
        elapsed, cpu, reports, parts = pipeline(folder, tiffs, households)
        print(f"pipeline: {elapsed:.1f} s, {cpu:.1f} CPU s", flush=True)
        print(", ".join(f"{k} {v:.1f}" for k, v in parts.items()) + " CPU s", flush=True)
        load_after = loadavg()
        print((folder / "worker.log").read_text(errors="replace")[-1500:])
        breakdown = step_breakdown(tiffs[0])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    statuses = {}
    for report in reports:
        statuses[report["status"]] = statuses.get(report["status"], 0) + 1
    floor_ppm, pipe_ppm = pages / floor * 60, pages / elapsed * 60
    lines = [
        "## Ingest",
        "",
        f"`bench/ingest/run.py --documents {args.documents}`: {len(tiffs)} synthetic 300-dpi A4",
        f"scans ({pages} pages: {', '.join(FORMS)}; skewed, blurred, JPEG'd), {CORES} cores.",
        "",
        "| | seconds | pages/min | ratio to floor | CPU s | CPU ratio to floor |",
        "|---|---:|---:|---:|---:|---:|",
        f"| Tesseract alone (floor, {CORES} processes) | {floor:.1f} | {floor_ppm:.1f} | 1.00 "
        f"| {floor_cpu:.1f} | 1.00 |",
        f"| whole pipeline (worker -c {CORES}) | {elapsed:.1f} | {pipe_ppm:.1f} "
        f"| {pipe_ppm / floor_ppm:.2f} | {cpu:.1f} | {floor_cpu / cpu:.2f} |",
        "",
        f"Load average (1, 5, 15 min) before: {load_before}; after: {load_after}.",
        "",
        "The pipeline's CPU seconds: "
        + ", ".join(f"{k} {v:.1f}" for k, v in parts.items())
        + f"; without the worker's shutdown {cpu - parts['worker shutdown']:.1f}, ratio "
        f"{floor_cpu / (cpu - parts['worker shutdown']):.2f}.",
        "",
        f"Outcome: {json.dumps(statuses, ensure_ascii=False)}.",
        "",
        f"Where one document's time goes ({tiffs[0].name}, one core):",
        "",
        "| step | seconds |",
        "|---|---:|",
        *[f"| {name} | {seconds:.2f} |" for name, seconds in breakdown.items()],
    ]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("ingest", body)


if __name__ == "__main__":
    main()
