"""Running the paper–electronic check and keeping what it finds.

A discrepancy is keyed by what it is (kind, items, field, both values, page): found again it
is the same row (``last_seen`` moves on), so a decision once taken is never asked again, and
an open one stays open until an archivist decides it.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from archive import audit
from archive.models import Item
from consistency import inventory
from consistency.compare import Difference, PaperSide, compare
from consistency.models import CheckRun, Discrepancy
from consistency.pages import electronic_texts, paper_images, paper_readings
from consistency.pairing import Pair, electronic_names, pairs_for


@dataclass
class PairResult:
    pair: Pair
    differences: list[Difference]
    pages: int
    seconds: float


@dataclass
class RunResult:
    run: CheckRun
    discrepancies: list[Discrepancy] = field(default_factory=list)
    pairs: list[PairResult] = field(default_factory=list)


def compare_pair(pair: Pair) -> PairResult:
    started = time.perf_counter()
    images = paper_images(pair.paper)
    readings = paper_readings(pair.paper, images)
    paper = PaperSide(readings, lambda n: images[n - 1] if 0 < n <= len(images) else None)
    diffs = compare(electronic_texts(pair.electronic), electronic_names(pair.electronic), paper)
    return PairResult(pair, diffs, len(images), time.perf_counter() - started)


def key_of(kind: str, item_id: int, paper_id: int | None, *parts) -> str:
    raw = "|".join(str(p) for p in (kind, item_id, paper_id, *parts))
    return hashlib.sha256(raw.encode()).hexdigest()


def _keep(run: CheckRun, kind: str, item: Item, paper_item: Item | None, **values) -> Discrepancy:
    key = key_of(
        kind,
        item.pk,
        paper_item.pk if paper_item else None,
        values.get("field", ""),
        values.get("electronic", ""),
        values.get("paper", ""),
        values.get("page"),
    )
    with transaction.atomic():
        row = Discrepancy.objects.select_for_update().filter(key=key).first()
        if row is None:
            row = Discrepancy.objects.create(
                key=key, kind=kind, item=item, paper_item=paper_item, run=run, **values
            )
            audit.record(
                audit.Action.CHECK,
                row,
                detail={
                    "discrepancy": row.pk,
                    "kind": kind,
                    "item": item.archive_number,
                    "field": row.field,
                    "page": row.page,
                },
            )
        else:
            Discrepancy.objects.filter(pk=row.pk).update(last_seen=timezone.now(), run=run)
    return row


def run_check(items=None, *, user=None, scope: dict | None = None) -> RunResult:
    """Check every pair and the inventory among ``items`` (default: every item)."""
    started = time.perf_counter()
    items = Item.objects.all() if items is None else items
    run = CheckRun.objects.create(scope=scope or {}, started_by=user)
    result = RunResult(run)
    doubts = pages = 0
    for pair in pairs_for(items):
        outcome = compare_pair(pair)
        result.pairs.append(outcome)
        pages += outcome.pages
        paper_pages = outcome.pages
        electronic_pages = pair.electronic.pages.count()
        if pair.paper.pk != pair.electronic.pk and paper_pages != electronic_pages:
            result.discrepancies.append(
                _keep(
                    run,
                    Discrepancy.Kind.PAIR_PAGES,
                    pair.electronic,
                    pair.paper,
                    field="page_count",
                    paper=str(paper_pages),
                    electronic=str(electronic_pages),
                    detail={"basis": pair.basis},
                )
            )
        for diff in outcome.differences:
            if not diff.raised:
                doubts += 1
                continue
            result.discrepancies.append(
                _keep(
                    run,
                    Discrepancy.Kind.CONTENT,
                    pair.electronic,
                    pair.paper,
                    field=diff.field,
                    paper=diff.paper,
                    electronic=diff.electronic,
                    page=diff.page,
                    electronic_page=diff.electronic_page,
                    confidence=diff.confidence,
                    snippet=diff.snippet,
                    context=diff.context[:100],
                    detail={**diff.detail, "basis": pair.basis, "box": diff.box},
                )
            )
    paired = {p.pair.electronic.pk for p in result.pairs}
    for finding in inventory.reconcile(items, paired):
        result.discrepancies.append(
            _keep(
                run,
                finding.kind,
                finding.item,
                None,
                field=finding.field,
                paper=finding.paper,
                electronic=finding.electronic,
                page=finding.page,
                detail=finding.detail,
            )
        )
    run.finished_at = timezone.now()
    run.pairs, run.pages, run.doubts = len(result.pairs), pages, doubts
    run.found = len(result.discrepancies)
    run.seconds = time.perf_counter() - started
    run.save()
    audit.record(
        audit.Action.CHECK,
        run,
        user=user,
        detail={"scope": run.scope, "pairs": run.pairs, "found": run.found, "doubts": doubts},
    )
    return result


def as_contract(d: Discrepancy) -> dict:
    """One discrepancy in the shape of CONTRACTS.md (``consistency_check --json``)."""
    item = d.item
    return {
        "household": item.household.head_id_number if item.household_id else None,
        "archive_number": item.archive_number,
        "kind": d.kind,
        "field": d.field,
        "paper": d.paper,
        "electronic": d.electronic,
        "page": d.page,
    }
