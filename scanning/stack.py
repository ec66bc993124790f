"""The ingest hook (settings.HEDANG_INGEST_SPLITTERS): a scanned stack with separator sheets
becomes one item per sheet, each filed under the sheet's household and subtype.

Used by ingest.pipeline.file_step after OCR (so the page texts and the OCR'd access PDF exist).
``detect`` returns None for an ordinary scan (no separator); ``split`` returns
``(items, ready)``: the items made (filed when ``ready``) or, when anything is uncertain, one
review item for the whole stack carrying the proposed split in ``fields["proposed_split"]``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

import pikepdf
import pypdfium2 as pdfium

from archive.filing import file_item
from archive.models import File, Household, Item, Page, Subtype
from archive.storage import read_blob, store_bytes
from ingest import ocr, pipeline, scanprep, sniff
from ingest.models import Batch, Document, DocumentPart
from ingest.quality import part_summary
from ingest.text import find_identifiers, formation_date
from scanning.separators import Part, Plan, plan, read_page_codes

log = logging.getLogger(__name__)


class SeparatorSheets:
    """The splitter named in settings.HEDANG_INGEST_SPLITTERS.

    ``detect`` only reads (it renders every page to look for our QR codes, the slow part), so
    the pipeline runs it before its write transaction; ``split`` makes the items inside it.
    """

    @staticmethod
    def detect(document: Document) -> tuple[bytes, Plan] | None:
        pdf = stack_pdf(document)
        try:
            codes = read_page_codes(pdf, document.page_texts)
        except pdfium.PdfiumError:  # the pipeline files what it cannot look into as one item
            log.warning("document %s: pages could not be rendered to look for sheets", document.pk)
            return None
        stack = plan(codes)
        return None if stack is None else (pdf, stack)

    @staticmethod
    def split(document: Document, batch: Batch, today: dt.date, found: tuple[bytes, Plan]):
        pdf, stack = found
        targets = _resolve(stack, batch)
        if not stack.certain:
            return [_review(document, batch, today, stack)], False
        items = [
            part_item(document, batch, today, part, pdf, *targets[i])
            for i, part in enumerate(stack.parts)
        ]
        for item in items:
            file_item(item)
        return items, True


def stack_pdf(document: Document) -> bytes:
    """The stack as the splitter reads it: the OCR'd copy, else the original, as a PDF."""
    data = read_blob(document.ocr_sha256 or document.sha256)
    return ocr.to_pdf(data, sniff.PDF if document.ocr_sha256 else document.media_type)


def _resolve(stack: Plan, batch: Batch) -> list[tuple[Household | None, Subtype | None]]:
    """Each part's household and subtype; what cannot be resolved is noted as a problem."""
    jurisdiction = batch.agency.jurisdiction_ids()
    targets = []
    for part in stack.parts:
        household = subtype = None
        if part.household:
            household = Household.objects.filter(
                head_id_number=part.household, agency_id__in=jurisdiction
            ).first()
            if household is None:
                stack.problems.append(
                    f"第 {part.separator_page} 页分隔页的户（{part.household}）不存在或不在本辖区"
                )
            elif batch.household_id and batch.household_id != household.pk:
                stack.problems.append(f"第 {part.separator_page} 页分隔页的户与批次指定的户不同")
        if part.subtype:
            subtype = Subtype.objects.filter(code=part.subtype).first()
            if subtype is None:
                stack.problems.append(
                    f"第 {part.separator_page} 页分隔页的子类代码 {part.subtype} 不存在"
                )
        targets.append((household, subtype))
    return targets


def _review(document: Document, batch: Batch, today: dt.date, stack: Plan) -> Item:
    """The whole stack as one item for review, with the split the sheets propose."""
    analysis = pipeline.analyse(document, batch, today)
    item = pipeline.create_item(document, batch, analysis, today)
    item.fields["proposed_split"] = stack.as_json()
    item.status_detail = "；".join(["分隔页拆分待确认", *stack.problems, item.status_detail])
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
    part: Part,
    pdf: bytes,
    household: Household,
    subtype: Subtype,
) -> Item:
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
    item = Item.objects.create(
        household=household,
        agency=household.agency,
        category=subtype.category,
        subtype=subtype,
        title=f"{household.head_name}户{subtype.name}",
        document_number=number[0] if number else "",
        responsible=batch.agency.name,
        formation_date=formation_date(found, today) or today,
        page_count=len(texts),
        carrier=Item.Carrier.PAPER if scanned else Item.Carrier.ELECTRONIC,
        status=Item.Status.REVIEW,
        status_detail=f"分隔页（第 {part.separator_page} 页）指定户与子类",
        fields={
            "identifiers": found.as_json(),
            "candidates": [],
            "source": source,
            # Each part carries the checks of its own pages (a blank back goes with its front).
            "page_quality": part_summary(
                scanprep.stored(document), part.first_page, part.last_page
            ),
        },
    )
    pipeline.attach_original(item, document)
    access = part_pdf(pdf, part.first_page, part.last_page)
    blob = store_bytes(access)
    File.objects.create(
        item=item, role=File.Role.ACCESS, sha256=blob.sha256, size=blob.size, media_type=sniff.PDF
    )
    pipeline.attach_thumbnails(item, access)
    Page.objects.bulk_create(
        Page(item=item, number=n, text=text) for n, text in enumerate(texts, start=1)
    )
    DocumentPart.objects.create(
        document=document,
        item=item,
        first_page=part.first_page,
        last_page=part.last_page,
        separator_page=part.separator_page,
    )
    return item
