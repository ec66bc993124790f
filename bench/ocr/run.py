"""OCR benchmark: synthetic scans of the appendix forms, plain ocrmypdf against table-aware OCR.

    .venv/bin/python -m bench.ocr.run [--households 2] [--presets scan,scan_bw,heavy,camera]
        [--engines plain,tables] [--write]

Each page of each form (filled with synthetic households, see ``tests/synthetic``) is
degraded with a preset (scan: skew 1°, blur, JPEG 85, greyscale; scan_bw: skew 0.5°, 1-bit;
heavy: skew 2°, blur, noise, JPEG 60; camera: a 高拍仪 photo) and read by each engine:

* ``plain``: the pipeline's ``ingest.ocr.run_ocr`` (ocrmypdf, deskew, PDF/A) as before;
* ``tables``: the same ``run_ocr`` with table-aware OCR (``ingest.formocr``) as its engine;
* ``ingest``: table-aware OCR on the path a scan takes through ingest: the page turned upright
  and straightened by ``ingest.scanprep``, then ``run_ocr`` without ocrmypdf's deskew.

Character accuracy is 1 − CER against the page's ground truth (whitespace removed, NFKC).
Field exact-match compares the fields extracted by ``ingest.formocr.extract`` with the
ground truth ``fields`` of ``render_form``. Seconds per page are wall-clock, measured in the
same run (2 shared cores), so compare them only as a ratio. Results are cached per page in
``/tmp/hedang-bench-ocr`` (``--fresh`` ignores the cache).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.ocr.fields import MISSES, compare_fields  # noqa: E402
from tests.synthetic import make_households, render_form  # noqa: E402
from tests.synthetic.degrade import degrade  # noqa: E402
from tests.synthetic.ocr import char_accuracy  # noqa: E402

FORMS = ("home_visit", "report", "commission", "review_application", "authorization", "plain")
TABLE_FORMS = ("home_visit", "report", "commission", "review_application")
TABLE_ENGINES = ("tables", "ingest")
# Another checkout's recognition must not answer for this one's: HEDANG_BENCH_OCR_CACHE.
CACHE = Path(os.environ.get("HEDANG_BENCH_OCR_CACHE", "/tmp/hedang-bench-ocr"))


def page_bytes(img) -> bytes:
    buf = io.BytesIO()
    dpi = img.info.get("dpi", (300, 300))
    img.save(buf, format="PNG", dpi=(round(dpi[0]), round(dpi[1])))
    return buf.getvalue()


def run_engine(engine: str, png: bytes) -> dict:
    from ingest import ocr

    if engine == "ingest":
        import django

        django.setup()  # ingest.scanprep reads the operation log's models
        from ingest import scanprep

        pdf, deskew = scanprep.prepare(png, "image/png").pdf, False
    else:
        pdf, deskew = ocr.to_pdf(png, "image/png"), True
    # A long page timeout: on the shared 2 cores a page has taken over 300 s under load.
    settings = ocr.OcrSettings(tables=engine in TABLE_ENGINES, page_timeout=1200)
    start = time.perf_counter()
    out = ocr.run_ocr(pdf, has_text=False, deskew=deskew, settings=settings)
    seconds = time.perf_counter() - start
    pages = list(out.pages) if getattr(out, "pages", None) else [None]
    result = {"text": out.page_texts[0], "seconds": seconds, "page": pages[0]}
    if engine in TABLE_ENGINES:
        result["image"] = page_image(out.pdf)
    return result


def page_image(pdf: bytes) -> bytes | None:
    """The page image of ocrmypdf's output (deskewed, losslessly stored): the image the table
    engine read. Recognising it again gives the same cells (checked: 146 of 146 cell texts of
    a home-visit page), so a change to recognition is measured on the same input without
    running ocrmypdf again (``--reread``)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        images = list(doc.pages[0].get_images().values())
        if len(images) != 1:
            return None
        image = pikepdf.PdfImage(images[0]).as_pil_image()
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def cached(engine: str, png: bytes, fresh: bool, reread: bool = False) -> dict:
    key = hashlib.sha256(engine.encode() + png).hexdigest()[:24]
    path = CACHE / f"{engine}-{key}.json"
    image_path = path.with_suffix(".png")
    if path.exists() and not fresh:
        result = json.loads(path.read_text())
        if reread and result.get("page") and image_path.exists():
            return recognised_again(result, image_path)
        return result
    result = run_engine(engine, png)
    CACHE.mkdir(parents=True, exist_ok=True)
    image = result.pop("image", None)
    if image:
        image_path.write_bytes(image)
    path.write_text(json.dumps(result, ensure_ascii=False, default=str))
    if reread and result.get("page") and image_path.exists():
        return recognised_again(result, image_path)
    return result


def _engine_version() -> str:
    """A hash of this checkout's recognition code (``ingest/formocr`` but extraction): a
    re-reading is kept until it changes."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "ingest" / "formocr").glob("*.py")):
        if path.stem not in ("extract", "values", "templates", "linking", "__init__"):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def recognised_again(result: dict, image_path: Path) -> dict:
    """The stored page image read by this checkout's table engine (``--reread``)."""
    import numpy as np
    from PIL import Image

    from ingest.formocr.recognise import recognise

    again = image_path.with_suffix(f".reread-{_engine_version()}.json")
    if again.exists():
        return json.loads(again.read_text())
    with Image.open(image_path) as img:
        grey = np.asarray(img.convert("L"))
    start = time.perf_counter()
    page = recognise(grey, result["page"]["dpi"])
    seconds = time.perf_counter() - start
    page_json = json.loads(json.dumps(page.as_json(), ensure_ascii=False, default=int))
    out = {"text": page.text, "seconds": seconds, "page": page_json}
    again.write_text(json.dumps(out, ensure_ascii=False))
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--households", type=int, default=2)
    p.add_argument("--presets", default="scan,scan_bw,heavy,camera")
    p.add_argument("--engines", default="plain,tables")
    p.add_argument("--forms", default=",".join(FORMS))
    p.add_argument("--fresh", action="store_true")
    p.add_argument("--timing", default="", help="presets to time afresh, e.g. scan,camera")
    p.add_argument("--write", action="store_true", help="write the OCR section of benchmarks.md")
    p.add_argument("--layouts", action="store_true", help="only the printed-layouts part")
    p.add_argument("--misses", action="store_true", help="print every wrong field")
    p.add_argument(
        "--reread",
        action="store_true",
        help="tables: recognise the cached page images again with this checkout",
    )
    args = p.parse_args(argv)
    engines = args.engines.split(",")
    if args.layouts:
        return layouts_main(engines, args.write, args.fresh, args.reread)
    presets = args.presets.split(",")
    forms = args.forms.split(",")
    households = make_households(max(args.households, 4), seed=2024)
    acc = defaultdict(list)  # (engine, form, preset) -> accuracies
    secs = defaultdict(list)  # (engine, form) -> seconds per page
    fields = defaultdict(lambda: defaultdict(lambda: [0, 0]))  # (engine) -> kind -> [ok, n]
    for h in range(args.households):
        for form in forms:
            hhs = households[h : h + 3] if form == "commission" else households[h]
            rendered = render_form(form, hhs)
            for preset in presets:
                pages = []
                for n, img in enumerate(rendered.images):
                    scan = degrade(img, preset, seed=1000 * h + 10 * n + len(preset))
                    pages.append(page_bytes(scan))
                for engine in engines:
                    results = [cached(engine, png, args.fresh, args.reread) for png in pages]
                    for truth, res in zip(rendered.page_texts, results, strict=True):
                        acc[engine, form, preset].append(char_accuracy(truth, res["text"]))
                        secs[engine, form].append(res["seconds"])
                    if engine in TABLE_ENGINES and form in TABLE_FORMS:
                        got = extracted(form, results)
                        for kind, (ok, n) in compare_fields(form, rendered.fields, got).items():
                            fields[engine, preset][kind][0] += ok
                            fields[engine, preset][kind][1] += n
                        for kind, truth, got in MISSES if args.misses else ():
                            print(f"MISS {form} {preset} h{h} {kind}: {truth!r} read {got!r}")
                    line = " ".join(f"{a:.3f}" for a in acc[engine, form, preset][-len(pages) :])
                    print(f"{engine:6} {form:18} {preset:8} h{h} acc {line}", flush=True)
    if args.timing:
        # Seconds per page measured now, both engines alternating page by page (the cache
        # holds accuracy from earlier runs; its times are not comparable across runs).
        secs = defaultdict(list)
        for form in forms:
            rendered = render_form(form, households[:3] if form == "commission" else households[0])
            for preset in args.timing.split(","):
                for n, img in enumerate(rendered.images):
                    png = page_bytes(degrade(img, preset, seed=10 * n + len(preset)))
                    for engine in engines:
                        secs[engine, form].append(cached(engine, png, True)["seconds"])
                print(f"timed {form} {preset}", flush=True)
    body = report(engines, forms, presets, acc, secs, fields, args.households, args.timing)
    print(body)
    if args.write:
        from bench.report import write_section

        write_section("ocr", body + kept_subsection("layouts"))


def layouts_main(
    engines: list[str], write: bool, fresh: bool = False, reread: bool = False
) -> None:
    from bench.ocr import layouts

    load = open("/proc/loadavg").read().split()[:3]

    def read(engine: str, png: bytes) -> dict:
        # --fresh re-reads with the table engine only (plain ocrmypdf is not ours to change).
        return cached(engine, png, fresh and engine == "tables", reread)

    body = layouts.run(make_households(12, seed=2024), engines, read, page_bytes, extracted_form)
    after = open("/proc/loadavg").read().split()[:3]
    body += (
        f"\n\nLoad average (1/5/15 min) before/after this run: {' '.join(load)} / "
        f"{' '.join(after)} (pages already read are taken from `{CACHE}`; no timings here)."
    )
    print(body)
    if write:
        write_subsection("layouts", body)


def write_subsection(name: str, body: str) -> None:
    """Replace (or append) the part between ``<!-- ocr:NAME:start/end -->`` inside the OCR
    section, keeping the rest of the section as it is."""
    import re

    from bench.report import DOC

    text = DOC.read_text(encoding="utf-8")
    start, end = f"<!-- ocr:{name}:start -->", f"<!-- ocr:{name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    inner = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if inner.search(text):
        text = inner.sub(lambda _: block, text)
    else:
        text = text.replace("<!-- bench:ocr:end -->", f"{block}\n<!-- bench:ocr:end -->")
    DOC.write_text(text, encoding="utf-8")


def kept_subsection(name: str) -> str:
    """The ``<!-- ocr:NAME -->`` part already in the OCR section (kept when the main table is
    rewritten)."""
    import re

    from bench.report import DOC

    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    m = re.search(rf"<!-- ocr:{name}:start -->.*?<!-- ocr:{name}:end -->", text, re.S)
    return f"\n\n{m.group(0)}" if m else ""


def extracted_form(results: list[dict]) -> dict:
    from ingest.formocr.extract import extract_document

    pages = [r["page"] for r in results if r.get("page")]
    return extract_document(pages) if pages else {}


def extracted(form: str, results: list[dict]) -> dict:
    try:
        from ingest.formocr.extract import extract_document
    except ImportError:
        return {}

    pages = [r["page"] for r in results if r.get("page")]
    return extract_document(pages).get("fields", {}) if pages else {}


def report(engines, forms, presets, acc, secs, fields, n_households, timing="") -> str:
    lines = [
        "## OCR",
        "",
        f"`bench/ocr/run.py`: synthetic scans of the appendix forms ({n_households} synthetic "
        "households each, one 花名册 of 3 households per 委托书), every page degraded with "
        "each preset of `tests/synthetic/degrade.py` (scan: 1° skew, blur, JPEG 85, grey; "
        "scan_bw: 0.5° skew, 1-bit; heavy: 2° skew, blur, noise, JPEG 60; camera: 高拍仪 "
        "photo). Character accuracy = 1 − CER against the ground truth (whitespace removed, "
        "NFKC), mean over pages. `plain` = `run_ocr` with ocrmypdf/Tesseract `chi_sim+eng` "
        "(deskew, PDF/A); `tables` = the same `run_ocr` with `HEDANG_OCR_TABLES` "
        "(`ingest/formocr`: ruling lines removed, cell-by-cell recognition, `chi_sim`).",
        "",
        "| form | preset | " + " | ".join(engines) + " |",
        "|---|---|" + "---|" * len(engines),
    ]
    for form in forms:
        for preset in presets:
            cells = [acc.get((e, form, preset)) for e in engines]
            lines.append(
                f"| {form} | {preset} | "
                + " | ".join(f"{statistics.mean(c):.3f}" if c else "–" for c in cells)
                + " |"
            )
    lines += [
        "",
        "Mean over all table forms (home_visit, report, commission, review_application):",
        "",
    ]
    for e in engines:
        vals = [v for (en, f, _), vs in acc.items() if en == e and f in TABLE_FORMS for v in vs]
        if vals:
            lines.append(f"- {e}: {statistics.mean(vals):.3f} over {len(vals)} pages")
    when = f"re-measured in one run on the {timing} pages of household 1" if timing else "same run"
    lines += ["", f"Seconds per page (wall clock, {when}; compare as a ratio):", ""]
    lines += [
        "| form | " + " | ".join(engines) + " | ratio |",
        "|---|" + "---|" * (len(engines) + 1),
    ]
    totals = {e: [] for e in engines}
    for form in forms:
        vals = [secs.get((e, form)) for e in engines]
        for e, v in zip(engines, vals, strict=True):
            totals[e] += v or []
        ratio = (
            f"{statistics.mean(vals[-1]) / statistics.mean(vals[0]):.2f}×"
            if len(engines) > 1 and all(vals)
            else "–"
        )
        lines.append(
            f"| {form} | "
            + " | ".join(f"{statistics.mean(v):.1f}" if v else "–" for v in vals)
            + f" | {ratio} |"
        )
    if len(engines) > 1 and all(totals.values()):
        r = statistics.mean(totals[engines[-1]]) / statistics.mean(totals[engines[0]])
        lines.append(
            "| all | "
            + " | ".join(f"{statistics.mean(totals[e]):.1f}" for e in engines)
            + f" | {r:.2f}× |"
        )
    if fields:
        lines += ["", "Field exact-match (table engines; extracted fields vs ground truth):", ""]
        kinds = sorted({k for per in fields.values() for k in per})
        lines += ["| preset | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
        several = len({engine for engine, _ in fields}) > 1
        for (engine, preset), per in sorted(fields.items()):
            lines.append(
                f"| {f'{engine} ' if several else ''}{preset} | "
                + " | ".join(
                    f"{per[k][0] / per[k][1]:.3f} ({per[k][1]})" if per[k][1] else "–"
                    for k in kinds
                )
                + " |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
