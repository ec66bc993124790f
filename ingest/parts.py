"""A stack split into items: the splitter plans, ingest builds.

A splitter (settings.HEDANG_INGEST_SPLITTERS; separator sheets in app ``scanning``) reads a
document and returns a :class:`StackPlan` or None. From a certain plan :func:`split_stack`
makes one filed item per part, each with its own pages, identifiers, page checks and access
copy (the original is shared); from an uncertain one, one review item for the whole stack that
carries the plan in ``fields["proposed_split"]`` for 确认拆分 (scanning.split), which builds
the confirmed parts with :func:`part_item`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Protocol

import pikepdf

from archive.filing import file_item
from archive.items import StoredFile, create_item
from archive.models import File, Household, Item, Subtype
from archive.storage import read_blob, store_bytes
from ingest import dating, ocr, scanprep, sniff
from ingest.itemize import original_file, thumbnails
from ingest.models import Batch, Document, DocumentPart
from ingest.quality import part_summary
from ingest.text import find_identifiers


class PlannedPart(Protocol):
    """One item of a stack: pages first..last (1-based, the separator page excluded)."""

    first_page: int
    last_page: int
    separator_page: int | None
    household: str | None  # the head's resident ID, when the splitter read one
    subtype: str | None  # the subtype code, when the splitter read one


class StackPlan(Protocol):
    """What a splitter returns: the parts, and the problems that make it uncertain."""

    parts: Sequence[PlannedPart]
    problems: list[str]

    @property
    def certain(self) -> bool: ...

    def as_json(self) -> dict: ...


def stack_pdf(document: Document) -> bytes:
    """The stack as the splitter reads it: the OCR'd copy, else the original, as a PDF."""
    data = read_blob(document.ocr_sha256 or document.sha256)
    return ocr.to_pdf(data, sniff.PDF if document.ocr_sha256 else document.media_type)


def resolve(plan: StackPlan, batch: Batch) -> list[tuple[Household | None, Subtype | None]]:
    """Each part's household and subtype; what cannot be resolved is noted as a problem."""
    jurisdiction = batch.agency.jurisdiction_ids()
    targets = []
    for part in plan.parts:
        household = subtype = None
        if part.household:
            household = Household.objects.filter(
                head_id_number=part.household, agency_id__in=jurisdiction
            ).first()
            if household is None:
                plan.problems.append(
                    f"第 {part.separator_page} 页分隔页的户（{part.household}）不存在或不在本辖区"
                )
            elif batch.household_id and batch.household_id != household.pk:
                plan.problems.append(f"第 {part.separator_page} 页分隔页的户与批次指定的户不同")
        if part.subtype:
            subtype = Subtype.objects.filter(code=part.subtype).first()
            if subtype is None:
                plan.problems.append(
                    f"第 {part.separator_page} 页分隔页的子类代码 {part.subtype} 不存在"
                )
        targets.append((household, subtype))
    return targets


def file_parts(
    document: Document, batch: Batch, today: dt.date, pdf: bytes, plan: StackPlan, targets
) -> list[Item]:
    """A certain plan: one item per part, filed unless its formation date is unknown (it then
    waits in review with the reason, ingest.dating)."""
    items = [
        part_item(document, batch, today, part, pdf, *targets[i])
        for i, part in enumerate(plan.parts)
    ]
    for item in items:
        if item.formation_date is not None:
            file_item(item)
    return items


def hold_for_review(document: Document, item: Item, plan: StackPlan) -> Item:
    """An uncertain plan: the whole-stack ``item`` waits in review with the proposed split."""
    item.fields["proposed_split"] = plan.as_json()
    item.status_detail = "；".join(["分隔页拆分待确认", *plan.problems, item.status_detail])
    item.save(update_fields=["fields", "status_detail", "updated_at"])
    DocumentPart.objects.create(
        document=document, item=item, first_page=1, last_page=len(document.page_texts)
    )
    return item


def part_pdf(pdf: bytes, first_page: int, last_page: int) -> bytes:
    """Pages first..last (1-based) of a PDF as a PDF of their own."""
    with pikepdf.open(io.BytesIO(pdf)) as source:
        out = pikepdf.new()
        out.pages.extend(source.pages[first_page - 1 : last_page])
        buf = io.BytesIO()
        out.save(buf, deterministic_id=True)
    return buf.getvalue()


def part_item(
    document: Document,
    batch: Batch,
    today: dt.date,
    part: PlannedPart,
    pdf: bytes,
    household: Household,
    subtype: Subtype,
) -> Item:
    """One part of a stack as an item of ``household`` and ``subtype`` (not filed yet)."""
    texts = document.page_texts[part.first_page - 1 : part.last_page]
    found = find_identifiers(texts, today=today)
    number = found.report_numbers[:1] or found.authorization_numbers[:1]
    scanned = document.media_type in sniff.IMAGE_TYPES or document.ocr_sha256 != document.sha256
    source = {
        "document": document.pk,
        "name": document.original_name,
        "first_page": part.first_page,
        "last_page": part.last_page,
        "separator_page": part.separator_page,
    }
    access = part_pdf(pdf, part.first_page, part.last_page)
    dated = dating.date_item(found, household, subtype.category, today)
    detail = f"分隔页（第 {part.separator_page} 页）指定户与子类"
    item = create_item(
        household=household,
        agency=household.agency,
        category=subtype.category,
        subtype=subtype,
        title=f"{household.head_name}户{subtype.name}",
        document_number=number[0] if number else "",
        responsible=batch.agency.name,
        formation_date=dated.date,
        case=dated.case,
        carrier=Item.Carrier.PAPER if scanned else Item.Carrier.ELECTRONIC,
        status=Item.Status.REVIEW,
        status_detail="；".join([detail, dated.note]) if dated.note else detail,
        fields={
            "identifiers": found.as_json(),
            "candidates": [],
            "source": source,
            "provenance": dated.provenance(),
            # Each part carries the checks of its own pages (a blank back goes with its front).
            "page_quality": part_summary(
                scanprep.stored(document), part.first_page, part.last_page
            ),
        },
        files=[
            original_file(document),
            StoredFile.of(store_bytes(access), File.Role.ACCESS, sniff.PDF),
            *thumbnails(access),
        ],
        pages=texts,
    )
    DocumentPart.objects.create(
        document=document,
        item=item,
        first_page=part.first_page,
        last_page=part.last_page,
        separator_page=part.separator_page,
    )
    return item
