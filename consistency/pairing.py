"""Which paper item answers which electronic record.

Three ties, strongest first: the scan of a print copy carries the 归档章 whose 档号 (or the
report number it prints) names the electronic item; a form filed on paper and the data the
platform pushed for it share the household and the subtype; an item holding both a scan and a
born-digital original pairs with itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from archive.models import File, Item
from consistency.pages import has_electronic_text, is_scanned
from consistency.reading import normalise

LIVE = ~Q(status=Item.Status.DESTROYED)


@dataclass(frozen=True)
class Pair:
    electronic: Item
    paper: Item
    basis: str  # 归档章 / 报告编号 / 同户同类 / 同件


def _paper_text(item: Item) -> str:
    return normalise("".join(item.pages.values_list("text", flat=True)))


def _loose(text: str) -> str:
    """Letters and digits only, O read as 0 and I as 1: how a 档号 printed small in the
    归档章 survives OCR (its separators and dots are often misread)."""
    text = normalise(text).upper().translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return re.sub(r"[^A-Z0-9]", "", text)


def _report_numbers(item: Item) -> set[str]:
    found = set()
    if item.document_number:
        found.add(normalise(item.document_number))
    ids = (item.fields or {}).get("identifiers") or {}
    for number in ids.get("report_numbers", []) if isinstance(ids, dict) else []:
        found.add(normalise(number))
    return found


def pairs_for(items) -> list[Pair]:
    """Pairs among ``items`` (a queryset of archive Items, already scoped)."""
    items = items.filter(LIVE).select_related("household", "subtype", "case")
    electronic = [i for i in items.exclude(carrier=Item.Carrier.PAPER) if has_electronic_text(i)]
    out: list[Pair] = []
    used: set[int] = set()
    for e in electronic:
        has_scan = e.files.filter(role=File.Role.PAGE_IMAGE).exists()
        if e.carrier == Item.Carrier.BOTH or has_scan:
            if is_scanned(e) or has_scan:
                out.append(Pair(e, e, "同件纸电"))
                continue
        candidates = Item.objects.filter(LIVE, carrier__in=[Item.Carrier.PAPER, Item.Carrier.BOTH])
        if e.household_id:
            candidates = candidates.filter(household_id=e.household_id)
        else:
            candidates = candidates.filter(agency_id=e.agency_id)
        candidates = [c for c in candidates.exclude(pk=e.pk) if c.pk not in used]
        match = _match(e, candidates)
        if match is not None:
            paper, basis = match
            used.add(paper.pk)
            out.append(Pair(e, paper, basis))
    return out


def _match(e: Item, candidates: list[Item]) -> tuple[Item, str] | None:
    numbers = {normalise(e.document_number)} - {""}
    if e.case_id and e.case.report_number:
        numbers.add(normalise(e.case.report_number))
    for c in candidates:
        if e.archive_number and _loose(e.archive_number) in _loose(_paper_text(c)):
            return c, "归档章"
    for c in candidates:
        if numbers & _report_numbers(c) or any(n in _paper_text(c) for n in numbers):
            return c, "报告编号"
    if e.subtype_id:
        for c in candidates:
            if c.subtype_id == e.subtype_id and e.household_id and is_scanned(c):
                return c, "同户同类"
    return None


def electronic_names(item: Item) -> list[str]:
    """Names of the people the electronic record speaks of (they are fields to compare)."""
    names: list[str] = []
    meta = (item.fields or {}).get("household") or {}
    if isinstance(meta, dict):
        head = meta.get("head") or {}
        names.append(head.get("name", ""))
        for group in ("members", "obligors"):
            names += [m.get("name", "") for m in meta.get(group, []) if isinstance(m, dict)]
    if item.household_id:
        names.append(item.household.head_name)
        names += list(item.household.members.values_list("name", flat=True))
    return [n for n in dict.fromkeys(names) if n]
