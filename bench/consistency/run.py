"""bench/consistency: comparison time per page and false alarms per 100 identical pairs.

    DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python -m bench.consistency.run --pairs 10

Each pair is one synthetic household's verification report, born-digital and as a degraded
scan (the "scan" preset: 1° skew, blur, JPEG) of its printed copy, read by real Tesseract.
Identical pairs count false alarms; one changed ID digit, amount digit and name character per
household count catches. Time per page is the consistency check's own work (its reading of
the page, alignment, second readings), measured beside a baseline in the same run: one plain
Tesseract pass over the same page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=20, help="identical pairs")
    parser.add_argument("--changed", type=int, default=5, help="households with each change")
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--preset", default="scan")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from consistency.compare import PaperSide, compare
    from consistency.reading import read_page
    from tests.consistency import pairs
    from tests.synthetic import render_form
    from tests.synthetic.ocr import tesseract

    def check(hh, paper_hh, seed):
        e = pairs.pdf_texts(render_form("report", hh, as_pdf=True, images=False).pdf)
        imgs = pairs.scan_pages(
            render_form("report", paper_hh, as_pdf=True, images=False).pdf, args.preset, seed
        )
        t0 = time.perf_counter()
        readings = [read_page(im, n) for n, im in enumerate(imgs, 1)]
        diffs = compare(
            e, [m.name for m in hh.everyone], PaperSide(readings, lambda k: imgs[k - 1])
        )
        spent = time.perf_counter() - t0
        t1 = time.perf_counter()
        for im in imgs:
            tesseract(im, lang="chi_sim", psm=4)
        base = time.perf_counter() - t1
        return [d for d in diffs if d.raised], len(imgs), spent, base

    false_alarms, pages, times, bases, alarms = 0, 0, [], [], []
    caught = {"id_number": [0, 0], "amount": [0, 0], "name": [0, 0]}
    alters = {
        "id_number": pairs.change_member_id,
        "amount": pairs.change_amount,
        "name": pairs.change_name,
    }
    for n, hh in enumerate(pairs.households(args.pairs, seed=args.seed)):
        raised, npages, spent, base = check(hh, hh, n)
        false_alarms += len(raised)
        alarms += [(d.field, d.electronic, d.paper) for d in raised]
        pages += npages
        times.append(spent / npages)
        bases.append(base / npages)
        for field, alter in alters.items() if n < args.changed else ():
            paper_hh, paper_value, _ = alter(hh)
            raised, *_ = check(hh, paper_hh, n)
            caught[field][1] += 1
            if [d.field for d in raised] and {d.field for d in raised} == {field}:
                caught[field][0] += 1
        print(
            f"pair {n + 1}/{args.pairs}: pages {pages}, false alarms {false_alarms}, "
            f"check/page median {statistics.median(times):.2f} s, plain OCR/page median "
            f"{statistics.median(bases):.2f} s, caught {caught}",
            flush=True,
        )
    print(f"identical pairs: {args.pairs} ({pages} pages), preset {args.preset}")
    print(f"false alarms: {false_alarms} ({100 * false_alarms / args.pairs:.1f} per 100 pairs)")
    print(
        f"check per page: median {statistics.median(times):.2f} s; plain Tesseract pass "
        f"median {statistics.median(bases):.2f} s; ratio {statistics.median(times) / statistics.median(bases):.2f}×"
    )
    if alarms:
        print(f"false alarms: {alarms}")
    for field, (ok, total) in caught.items():
        print(f"single change in {field}: caught exactly {ok}/{total}")


if __name__ == "__main__":
    main()
