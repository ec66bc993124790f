"""Known names: exact names of the table forms before and after checking them against the
households the forms name (``ingest.knownnames``).

    .venv/bin/python -m bench.ocr.known [--households 2] [--presets scan,scan_bw,heavy,camera]
        [--cache /tmp/hedang-bench-ocr-known] [--write] [--reread]

The pages are those of ``bench/ocr/run.py`` (the same synthetic households, forms, presets and
seeds), read by the ``tables`` engine (results cached per page in ``--cache``). Each form's
fields are extracted, then its name cells are matched against its households as the archive
knows them (head, members, obligors) — only when the form's head ID was read right, as in the
pipeline. "before" is the exact-name rate of the extraction, "after" the same after matching;
"matched" counts cells whose name was replaced, "wrong" those replaced by a name that is not
the one on the page (an invented name: must be 0).
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# ingest.ocr keeps its temporary files under the data folder of the settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("HEDANG_DATA_DIR", "/tmp/hedang-bench-ocr-known-data")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.ocr import run  # noqa: E402
from bench.ocr.fields import compare_fields  # noqa: E402
from ingest.knownnames import KnownHousehold, match_form  # noqa: E402
from tests.synthetic import make_households, render_form  # noqa: E402
from tests.synthetic.degrade import degrade  # noqa: E402

GOAL = 0.95


def known(households) -> list[KnownHousehold]:
    return [
        KnownHousehold(h.head_id, h.head_name, tuple((m.name, m.id_number) for m in h.everyone))
        for h in households
    ]


def truth_names(form: str, truth: dict) -> dict[str, str]:
    """The true name of each name cell path (as ``ingest.knownnames`` names them)."""
    out = {}
    if form in ("home_visit", "report"):
        for group in ("members", "obligors"):
            for n, person in enumerate(truth.get(group) or []):
                out[f"{group}/{n}/name"] = person["name"]
    elif form == "commission":
        for n, row in enumerate(truth["roster"]):
            out[f"roster/{n}/head_name"] = row["head_name"]
            for m, person in enumerate(row["members"]):
                out[f"roster/{n}/members/{m}/name"] = person["name"]
    elif form == "review_application":
        for n, row in enumerate(truth["rows"]):
            out[f"rows/{n}/head_name"] = row["head_name"]
            out[f"rows/{n}/name"] = row["name"]
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--households", type=int, default=2)
    p.add_argument("--presets", default="scan,scan_bw,heavy,camera")
    p.add_argument("--cache", default="/tmp/hedang-bench-ocr-known")
    p.add_argument("--write", action="store_true")
    p.add_argument(
        "--reread",
        action="store_true",
        help="recognise the cached page images again with this checkout (run.py --reread)",
    )
    args = p.parse_args(argv)
    run.CACHE = Path(args.cache)
    load = [Path("/proc/loadavg").read_text().split()[:3]]
    presets = args.presets.split(",")
    households = make_households(max(args.households, 4), seed=2024)
    names = defaultdict(lambda: [0, 0, 0])  # preset -> [before ok, after ok, n]
    matched = defaultdict(lambda: [0, 0])  # preset -> [replaced, wrong]
    for h in range(args.households):
        for form in run.TABLE_FORMS:
            hhs = households[h : h + 3] if form == "commission" else households[h]
            rendered = render_form(form, hhs)
            family = known(hhs if isinstance(hhs, list) else [hhs])
            for preset in presets:
                pages = [
                    run.page_bytes(degrade(img, preset, seed=1000 * h + 10 * n + len(preset)))
                    for n, img in enumerate(rendered.images)
                ]
                results = [run.cached("tables", png, False, args.reread) for png in pages]
                got = run.extracted(form, results)
                before = compare_fields(form, rendered.fields, got).get("names", (0, 0))
                after_fields = copy.deepcopy(got)
                record = match_form(form, after_fields, family)
                after = compare_fields(form, rendered.fields, after_fields).get("names", (0, 0))
                truth = truth_names(form, rendered.fields)
                replaced = [r for r in record if r["source"] == "matched"]
                wrong = [r for r in replaced if truth.get(r["path"]) != r["value"]]
                names[preset][0] += before[0]
                names[preset][1] += after[0]
                names[preset][2] += before[1]
                matched[preset][0] += len(replaced)
                matched[preset][1] += len(wrong)
                print(
                    f"{form:18} {preset:8} h{h} names {before[0]}/{before[1]} → "
                    f"{after[0]}/{after[1]} matched {len(replaced)} wrong {len(wrong)}",
                    flush=True,
                )
    load.append(Path("/proc/loadavg").read_text().split()[:3])
    body = report(names, matched, presets, args.households, load)
    print(body)
    if args.write:
        from bench.report import write_section

        write_section("ocr-known", body)


def report(names, matched, presets, n_households, load) -> str:
    lines = [
        "## OCR: known names",
        "",
        "`bench/ocr/known.py`: the table forms of `bench/ocr/run.py` "
        f"(synthetic households: {n_households}; the same presets and seeds) read by the "
        "`tables` engine, fields extracted, then every name cell checked against the "
        "households the form names as the archive knows them (`ingest/knownnames.py`: the "
        "row's resident ID names a member and the text is still recognisably that member's "
        "name, or the text is one character off exactly one known name of its length; a "
        "household whose head ID was misread is not matched; empty cells stay empty). Exact "
        "names before and after, against the ground truth of the rendered form (baseline and "
        "result from the same OCR output; accuracy only, no timings; "
        f"goal ≥ {GOAL:.2f} per preset). *wrong* = cells replaced by a name that is not the "
        "one printed (invented names).",
        "",
        "| preset | names before | names after | ratio after/before | cells matched | wrong |",
        "|---|---|---|---|---|---|",
    ]
    for preset in presets:
        before, after, n = names[preset]
        replaced, wrong = matched[preset]
        ratio = f"{after / before:.2f}×" if before else "–"
        lines.append(
            f"| {preset} | {before / n:.3f} ({before}/{n}) | {after / n:.3f} ({after}/{n}) "
            f"| {ratio} | {replaced} | {wrong} |"
            if n
            else f"| {preset} | – | – | – | 0 | 0 |"
        )
    met = all(names[p][2] and names[p][1] / names[p][2] >= GOAL for p in presets)
    misses = sum(names[p][2] - names[p][1] for p in presets)
    lines += [
        "",
        f"Goal ≥ {GOAL:.2f} on every preset: {'met' if met else 'not met'} "
        f"({misses} names still wrong over all presets: cells read empty, or read with no "
        "character of the name right, are left as read). "
        f"Load average (1/5/15 min) before {' '.join(load[0])}, after {' '.join(load[-1])}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
