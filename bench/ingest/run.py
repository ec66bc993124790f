"""Ingest throughput: 300-dpi Chinese A4 scans through the whole pipeline, against Tesseract.

    .venv/bin/python bench/ingest/run.py [--documents 12] [--write]

The floor is Tesseract alone on the same page images (chi_sim+eng, OMP_THREAD_LIMIT=1, one
process per core). The pipeline is the real thing as `make run` starts it: a fresh embedded
installation, a Celery worker with one process per core, `manage.py ingest` without --sync,
timed from submission until every document is finished. Both are reported in pages per
minute; the goal is a ratio of at least 0.7.
"""

from __future__ import annotations

import argparse
import json
import os
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


def tesseract_floor(pngs: list[Path]) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(png: Path) -> None:
        subprocess.run(
            ["tesseract", str(png), "stdout", "-l", "chi_sim+eng"],
            env=env,
            capture_output=True,
            check=True,
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CORES) as pool:
        list(pool.map(one, pngs))
    return time.perf_counter() - start


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(result.stderr[-2000:])
    return result.stdout


def pipeline(folder: Path, tiffs: list[Path], households) -> tuple[float, list[dict]]:
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
        stdout=(folder / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        time.sleep(3)  # let the worker finish starting: its start-up is not ingest work
        start = time.perf_counter()
        out = _manage(env, "ingest", *map(str, tiffs), "--json")
        elapsed = time.perf_counter() - start
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    return elapsed, [json.loads(line) for line in out.splitlines() if line.startswith("{")]


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
    times["page checks + deskew + normalise (OpenCV, img2pdf)"] = time.perf_counter() - t
    t = time.perf_counter()
    output = ocr.run_ocr(pdf, has_text=False, deskew=False)
    times["ocrmypdf (OCR, rotate, PDF/A)"] = time.perf_counter() - t
    t = time.perf_counter()
    ocr.render_thumbnails(output.pdf)
    times["thumbnails"] = time.perf_counter() - t
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
        floor = tesseract_floor(pngs)
        print(f"tesseract floor: {floor:.1f} s", flush=True)
        elapsed, reports = pipeline(folder, tiffs, households)
        print(f"pipeline: {elapsed:.1f} s", flush=True)
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
        "| | seconds | pages/min | ratio to floor |",
        "|---|---:|---:|---:|",
        f"| Tesseract alone (floor, {CORES} processes) | {floor:.1f} | {floor_ppm:.1f} | 1.00 |",
        f"| whole pipeline (worker -c {CORES}) | {elapsed:.1f} | {pipe_ppm:.1f} | {pipe_ppm / floor_ppm:.2f} |",
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
