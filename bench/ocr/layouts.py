"""The OCR benchmark on forms laid out as other agencies print them (``tests/synthetic/printed``):
landscape inside an outer frame, columns swapped and resized, rows added or removed, a
photographed page, a 花名册 running onto page 2. Same columns as the main table (character
accuracy per engine), plus what issue #20 asks of these layouts."""

from __future__ import annotations

import statistics
from collections import defaultdict

from bench.ocr.fields import compare_printed
from tests.synthetic.degrade import degrade
from tests.synthetic.ocr import char_accuracy
from tests.synthetic.printed import render_printed

# (layout, preset, households): the landscape form also photographed (高拍仪).
CASES = (
    ("home_visit_landscape", "scan", (4,)),
    ("home_visit_landscape", "scan", (10,)),
    ("home_visit_landscape", "camera", (4,)),
    ("home_visit_portrait", "scan", (4,)),
    ("home_visit_portrait", "scan", (10,)),
    ("roster_two_pages", "scan", (4, 8, 10, 11, 0, 3)),
    ("review_application_landscape", "scan", (4,)),
    ("review_application_landscape", "scan_bw", (10,)),
)
SUBTYPES = {
    "home_visit": "入户核查表",
    "commission": "核对委托书",
    "review_application": "复核申请表",
}


def _subtype(texts: list[str], form: dict) -> str:
    """As the pipeline decides it: the title's keywords, else the matched template."""
    from archive.categories import STANDARD_SUBTYPES
    from ingest.text import SubtypeRule, recognise_subtype

    names = [name for subtypes in STANDARD_SUBTYPES.values() for _code, name, _kw in subtypes]
    rules = [
        SubtypeRule(n, cat, tuple(k for k in keywords.split(",") if k))
        for n, (cat, (_code, _name, keywords)) in enumerate(
            (cat, s) for cat, subtypes in STANDARD_SUBTYPES.items() for s in subtypes
        )
    ]
    rule = recognise_subtype(texts, rules)
    if rule is not None:
        return names[rule.subtype_id]
    return "" if form.get("mismatch") else form.get("subtype", "")


def run(households, engines, cached, page_bytes, extracted_pages) -> str:
    from ingest.formocr.templates import fuzzy_in, norm

    acc = defaultdict(list)
    rows, kinds = [], defaultdict(lambda: [0, 0])
    for layout, preset, picks in CASES:
        form = render_printed(layout, [households[i] for i in picks])
        pngs = [page_bytes(degrade(img, preset, seed=20 + n)) for n, img in enumerate(form.images)]
        for engine in engines:
            results = [cached(engine, png) for png in pngs]
            for truth, res in zip(form.page_texts, results, strict=True):
                acc[engine, layout, preset, picks].append(char_accuracy(truth, res["text"]))
            if engine != "tables":
                continue
            text = norm("".join(r["text"] for r in results))
            got = extracted_pages(results)
            title_ok = fuzzy_in(form.title, text)
            header_ok = (
                all(fuzzy_in(p, text) for p in form.header.split("  ")) if form.header else None
            )
            subtype = _subtype([r["text"] for r in results], got)
            for kind, (ok, n) in compare_printed(form, got.get("fields", {})).items():
                kinds[kind][0] += ok
                kinds[kind][1] += n
            wanted = SUBTYPES[form.template]
            rows.append((layout, preset, picks, title_ok, header_ok, subtype, wanted))
            print(f"layouts {layout} {preset} {acc[engine, layout, preset, picks]}", flush=True)
    lines = [
        "### Forms laid out differently (`tests/synthetic/printed.py`)",
        "",
        "A separate generator (its own drawing code) prints the standard's forms as other "
        "agencies do: 入户核查表 on A4 landscape inside an outer frame holding the title and "
        "the header line, member columns in another order and width, two blank rows, the "
        "obligors' assets and income each one cell merged across five columns in words; the "
        "same form on A4 portrait with its header line as table rows and fewer columns; a "
        "委托书 whose 花名册 runs onto page 2 without repeating its header; a 复核申请书 on A4 "
        "landscape with a one-row header in another order and blank rows. Same degradation "
        "presets, same engines, same character accuracy as above; title + header: the title "
        "and every piece of the header line (户主姓名, 家庭人口, 联系电话, 地址) in the page text "
        "(at most one error in four characters); subtype: as the pipeline decides it (title "
        "keywords, else the template the tables matched). Run with "
        "`python -m bench.ocr.run --layouts --write` (needs `DJANGO_SETTINGS_MODULE`).",
        "",
        "| layout | preset | households | "
        + " | ".join(engines)
        + " | title + header in text | subtype |",
        "|---|---|---|" + "---|" * (len(engines) + 2),
    ]
    for layout, preset, picks, title_ok, header_ok, subtype, wanted in rows:
        vals = [acc.get((e, layout, preset, picks)) for e in engines]
        lines.append(
            f"| {layout} | {preset} | h{','.join(map(str, picks))} | "
            + " | ".join(f"{statistics.mean(v):.3f}" if v else "–" for v in vals)
            + f" | {'yes' if title_ok else 'NO'} + "
            + {True: "yes", False: "NO", None: "(none printed)"}[header_ok]
            + " | "
            + f"{subtype or '–'} {'✓' if subtype == wanted else '✗'} |"
        )
    lines.append("")
    for e in engines:
        vals = [v for (en, *_), vs in acc.items() if en == e for v in vs]
        if vals:
            lines.append(f"- {e}: characters {statistics.mean(vals):.3f} over {len(vals)} pages")
    lines += ["", "Fields on these layouts (tables engine; exact match after NFKC):", ""]
    lines += ["| " + " | ".join(sorted(kinds)) + " |", "|" + "---|" * len(kinds)]
    lines.append(
        "| "
        + " | ".join(f"{kinds[k][0] / kinds[k][1]:.3f} ({kinds[k][1]})" for k in sorted(kinds))
        + " |"
    )
    tables = [v for (en, *_), vs in acc.items() if en == "tables" for v in vs]

    def share(kind: str) -> float:
        ok, n = kinds.get(kind, (0, 0))
        return ok / n if n else 0.0

    goals = [
        ("title + header line in the page text of every form",
         all(t and h is not False for _, _, _, t, h, _, _ in rows)),
        ("subtype recognised on every form", all(s == w for *_, s, w in rows)),
        (f"characters ≥ 0.97 (tables {statistics.mean(tables) if tables else 0:.3f})",
         bool(tables) and statistics.mean(tables) >= 0.97),
        (f"merged cells never duplicated ({share('merged once'):.3f})", share("merged once") == 1),
        (f"exact names ≥ 0.95 ({share('names'):.3f}; the cell reader's goal)",
         share("names") >= 0.95),
        (f"性别/关系/婚姻 ≥ 0.98 ({share('sex/relation/marital'):.3f}; the cell reader's goal)",
         share("sex/relation/marital") >= 0.98),
    ]  # fmt: skip
    lines += ["", "Goals of issue #20 on these layouts:", ""]
    lines += [f"- {'met' if ok else 'NOT met'}: {what}" for what, ok in goals]
    return "\n".join(lines)
