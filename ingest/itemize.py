"""A document's item, made through archive's one item factory (archive.items.create_item).

The pipeline makes one item of a whole document (:func:`item_for`); a stack split by
separator sheets makes one item per part (ingest.parts). Both take their files from here: the
stored original, the OCR'd access copy when there is one, and a thumbnail of every page.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from archive.items import StoredFile, create_item
from archive.models import File, Household, Item, Subtype
from archive.storage import read_blob, store_bytes
from ingest import dating, formocr, ocr, scanprep, sniff
from ingest.models import Batch, Document

if TYPE_CHECKING:
    from ingest.pipeline import Analysis


def item_for(document: Document, batch: Batch, analysis: Analysis, today: dt.date) -> Item:
    """The whole document as one item, waiting for review until the pipeline files it."""
    household = (
        Household.objects.get(pk=analysis.decision.household_id)
        if analysis.decision.linked
        else None
    )
    subtype = Subtype.objects.get(pk=analysis.subtype_id) if analysis.subtype_id else None
    scanned = document.media_type in sniff.IMAGE_TYPES or bool(
        document.ocr_sha256 and document.ocr_sha256 != document.sha256
    )
    number = analysis.found.report_numbers[:1] or analysis.found.authorization_numbers[:1]
    # The form's own date, else the case's, else a person gives it: never the day of ingest.
    dated = dating.date_item(analysis.found, household, analysis.category, today)
    item = create_item(
        household=household,
        agency=household.agency if household else batch.agency,
        category=analysis.category,
        subtype=subtype,
        title=title(household, subtype, document),
        document_number=number[0] if number else "",
        responsible=batch.agency.name,
        formation_date=dated.date,
        case=dated.case,
        carrier=Item.Carrier.PAPER if scanned else Item.Carrier.ELECTRONIC,
        status=Item.Status.REVIEW,
        status_detail="；".join(
            [analysis.decision.reason, *analysis.notes, *([dated.note] if dated.note else [])]
        ),
        fields={
            "identifiers": analysis.found.as_json(),
            "candidates": list(analysis.decision.candidates),
            "source": {"document": document.pk, "name": document.original_name},
            "provenance": dated.provenance(),
            **scanprep.item_fields(document),
        },
        files=document_files(document),
        pages=analysis.texts,
    )
    formocr.attach(item, document, analysis.decision)
    return item


def title(household: Household | None, subtype: Subtype | None, document: Document) -> str:
    if household and subtype:
        return f"{household.head_name}户{subtype.name}"
    return f"{subtype.name if subtype else '未识别材料'}（{document.original_name}）"[:300]


def original_file(document: Document) -> StoredFile:
    """The document's stored original, as an item's original file (every part of a split
    stack shares it)."""
    return StoredFile(
        role=File.Role.ORIGINAL,
        sha256=document.sha256,
        size=document.size,
        media_type=document.media_type,
        original_name=document.original_name,
    )


def document_files(document: Document) -> list[StoredFile]:
    """The original, the OCR'd access copy (when OCR made one) and the page thumbnails."""
    files = [original_file(document)]
    access = read_blob(document.ocr_sha256) if document.ocr_sha256 else read_blob(document.sha256)
    if document.ocr_sha256 and document.ocr_sha256 != document.sha256:
        files.append(
            StoredFile(
                role=File.Role.ACCESS,
                sha256=document.ocr_sha256,
                size=len(access),
                media_type=sniff.PDF,
            )
        )
    return files + thumbnails(access)


def thumbnails(pdf: bytes) -> list[StoredFile]:
    """A small PNG of every page of ``pdf``, stored, as thumbnail files (review queue)."""
    return [
        StoredFile.of(store_bytes(png), File.Role.THUMBNAIL, sniff.PNG, page_number=number)
        for number, png in enumerate(ocr.render_thumbnails(pdf), start=1)
    ]
