"""Field-level exact-match of extracted form fields against the synthetic ground truth."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any


def _amount(v: Any) -> str | None:
    if v is None or v == "":
        return None
    try:
        return f"{Decimal(str(v).replace(',', '').removesuffix('元')):.2f}"
    except InvalidOperation:
        return str(v)


def _norm(v: Any) -> Any:
    if isinstance(v, tuple):
        return tuple(_norm(x) for x in v)
    return "".join(unicodedata.normalize("NFKC", str(v if v is not None else "")).split())


# Every wrong field of the last compare_fields call, as (kind, truth, read): ``--misses``.
MISSES: list[tuple[str, Any, Any]] = []


def _count(out: dict, kind: str, truth: Any, got: Any) -> None:
    """Exact match after NFKC and without whitespace (full-width ，equals ,)."""
    truth, got = _norm(truth), _norm(got)
    ok, n = out.get(kind, (0, 0))
    out[kind] = (ok + (truth == got), n + 1)
    if truth != got:
        MISSES.append((kind, truth, got))


def _people(out, truth_people, got_people, keys=("name", "id_number")) -> None:
    got_people = list(got_people or [])
    for i, t in enumerate(truth_people):
        g = got_people[i] if i < len(got_people) else {}
        for key in keys:
            kind = {
                "id_number": "ids",
                "name": "names",
                "head_id": "ids",
                "marital_status": "marital",
            }.get(key, key)
            _count(out, kind, str(t.get(key, "")), str(g.get(key, "") or ""))


def compare_fields(form: str, truth: dict, got: dict) -> dict[str, tuple[int, int]]:
    """``{kind: (exact, total)}`` for kinds ids, names, relation, sex, age, marital, amounts,
    numbers, phones, dates, texts."""
    MISSES.clear()
    out: dict[str, tuple[int, int]] = {}
    if form == "home_visit":
        # The members' short cells too: sex, age and marital status (single characters and
        # two-character words that Tesseract alone misreads).
        _people(
            out,
            truth["members"],
            got.get("members"),
            ("name", "id_number", "relation", "sex", "age", "marital_status"),
        )
        _people(out, truth["obligors"], got.get("obligors"), ("name", "id_number", "relation"))
        for group in ("income", "expenses"):
            for k, v in truth[group].items():
                g = (got.get(group) or {}).get(k)
                _count(out, "amounts", _amount(v), _amount(g) if g not in ("无",) else "0.00")
        for k in ("total_income", "per_capita_income"):
            _count(out, "amounts", _amount(truth[k]), _amount(got.get(k)))
        _count(out, "phones", truth["phone"], got.get("phone"))
        _count(out, "texts", truth["neighbour_note"], got.get("neighbour_note"))
    elif form == "report":
        _count(out, "numbers", truth["number"], got.get("number"))
        _people(out, truth["members"], got.get("members"), ("name", "id_number", "relation"))
        _people(out, truth["obligors"], got.get("obligors"), ("name", "id_number", "relation"))
        gf = got.get("findings") or []
        for i, f in enumerate(truth["findings"]):
            g = gf[i] if i < len(gf) else {}
            _count(
                out,
                "texts",
                (f["department"], f["item"], f["result"]),
                (g.get("department"), g.get("item"), g.get("result")),
            )
        _count(out, "dates", str(truth["date"]), str(got.get("date")))
    elif form == "commission":
        gr = got.get("roster") or []
        for i, r in enumerate(truth["roster"]):
            g = gr[i] if i < len(gr) else {}
            _count(out, "ids", r["head_id"], g.get("head_id"))
            _count(out, "names", r["head_name"], g.get("head_name"))
            _people(out, r["members"], g.get("members"))
    elif form == "review_application":
        _review_rows(out, truth["rows"], got.get("rows") or [], "numbers")
    return out


def _review_rows(out: dict, truth_rows: list, got_rows: list, numbers: str) -> None:
    """A 复核申请书's rows: both IDs, both names and the report number of each."""
    for i, r in enumerate(truth_rows):
        g = got_rows[i] if i < len(got_rows) else {}
        for key in ("head_id", "id_number"):
            _count(out, "ids", r[key], g.get(key))
        for key in ("head_name", "name"):
            _count(out, "names", r[key], g.get(key))
        _count(out, numbers, r["report_number"], g.get("report_number"))


def compare_printed(form, got: dict) -> dict[str, tuple[int, int]]:
    """The printed layouts (``tests/synthetic/printed``): names, IDs, 性别/关系/婚姻 cells,
    amounts (words where the cell has words), and merged cells filled once (``merged``)."""
    out: dict[str, tuple[int, int]] = {}
    truth = form.fields
    if form.template == "commission":
        gr = got.get("roster") or []
        members = [m for r in gr for m in r.get("members", [])]
        for i, r in enumerate(truth["roster"]):
            g = gr[i] if i < len(gr) else {}
            _count(out, "ids", r["head_id"], g.get("head_id"))
        truth_members = [m for r in truth["roster"] for m in r["members"]]
        _people(out, truth_members, members)
        _count(out, "all members", len(truth_members), len(members))
        return out
    if form.template == "review_application":
        gr = got.get("rows") or []
        _review_rows(out, truth["rows"], gr, "report numbers")
        _count(out, "rows", len(truth["rows"]), len(gr))
        return out
    keys = ("name", "id_number", "sex", "relation", "marital_status")
    for group in ("members", "obligors"):
        people = got.get(group) or []
        for i, t in enumerate(truth[group]):
            g = people[i] if i < len(people) else {}
            for key in keys:
                kind = {"id_number": "ids", "name": "names"}.get(key, "sex/relation/marital")
                _count(out, kind, str(t.get(key, "")), str(g.get(key, "") or ""))
    for k, v in truth.get("income", {}).items():
        _count(out, "amounts", v, (got.get("income") or {}).get(k))
    for k in ("total_income", "per_capita_income"):
        _count(out, "amounts", truth[k], got.get(k))
    for block in ("obligor_income", "obligor_assets"):
        if block in truth:
            filled = [v for v in (got.get(block) or {}).values() if v not in ("", None)]
            _count(out, "merged once", 1, len(filled))
    return out
