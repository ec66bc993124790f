"""The ingest pipeline: a named list of small steps.

    submit:  sniff → resolution → store original → (queued | duplicate | rejected)
    ocr:     check pages, straighten, drop blank backs → OCR   (the OCR queue; slow, idempotent)
    file:    clean → identify → classify → link → file or review → index   (quick)

Each step reads what the one before it left on the ``Document`` (the original's sha256, the
OCR'd PDF's sha256 and page texts) and records its own name in ``Document.step`` when done,
so a run killed anywhere resumes where it stopped and files nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from archive import audit
from archive.filing import file_item
from archive.models import File, Item, Subtype
from archive.storage import read_blob, store_bytes
from ingest import formocr, ocr, parts, scanprep, sniff
from ingest.itemize import item_for
from ingest.linking import LinkDecision, link
from ingest.models import Batch, Document
from ingest.text import Found, SubtypeRule, clean_text, find_identifiers, formation_date
from ingest.text import recognise_subtype as match_subtype

log = logging.getLogger(__name__)
Status = Document.Status
STEPS = ("stored", "ocr", "filed", "indexed")


@dataclass(frozen=True)
class Analysis:
    """What the quick steps learnt from the text of one document."""

    texts: tuple[str, ...]
    found: Found
    subtype_id: int | None
    category: str
    decision: LinkDecision
    formation_date: dt.date | None
    notes: tuple[str, ...] = field(default=())


def ocr_settings() -> ocr.OcrSettings:
    options = dict(getattr(settings, "HEDANG_OCR", {}))
    options.setdefault("tables", getattr(settings, "HEDANG_OCR_TABLES", False))
    return ocr.OcrSettings(**options)


def limits() -> sniff.Limits:
    return sniff.Limits(**getattr(settings, "HEDANG_INGEST_LIMITS", {}))


# --- submit ---------------------------------------------------------------------------------


def submit(
    batch: Batch, name: str, data: bytes, checked: sniff.Sniffed | None = None
) -> list[Document]:
    """Take one file (a ZIP becomes its files). Returns one Document per file taken.

    ``checked``: what the caller's own check of these very bytes found (sniff and resolution,
    as here), so they are not checked twice. Callers go through ingest.intake."""
    if checked is not None:
        return [submit_one(batch, name, data, checked)]
    if sniff.media_type_of(data) == sniff.ZIP:
        try:
            members = sniff.expand_zip(name, data, limits())
        except sniff.Rejected as exc:
            return [reject(batch, name, data, str(exc))]
        return [submit_one(batch, member, content) for member, content in members]
    return [submit_one(batch, name, data)]


def submit_one(
    batch: Batch, name: str, data: bytes, checked: sniff.Sniffed | None = None
) -> Document:
    sniffed = checked
    if sniffed is None:
        try:
            sniffed = sniff.sniff(name, data, limits())
        except sniff.Rejected as exc:
            return reject(batch, name, data, str(exc))
        if low := scanprep.refusal(data, sniffed.media_type):  # DA/T 31-2017: below 200 dpi
            return reject(batch, name, data, low)
    blob = store_bytes(data)
    # Only the batch's own jurisdiction counts: bytes another county holds are filed again
    # here, and the county learns nothing about the other copy.
    existing = _live_item_with_original(blob.sha256, batch.agency.jurisdiction_ids())
    if existing is not None and (batch.household_id in (None, existing.household_id)):
        return _duplicate(batch, name, blob, sniffed, existing)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                batch=batch,
                original_name=name[:255],
                sha256=blob.sha256,
                size=blob.size,
                media_type=sniffed.media_type,
                status=Status.QUEUED,
                step="stored",
            )
    except IntegrityError:
        # The same bytes are in the pipeline right now (a concurrent submission).
        live = Document.objects.exclude(status__in=[Status.REJECTED, Status.DUPLICATE])
        twin = live.filter(sha256=blob.sha256, agency_id=batch.agency_id).first()
        return _duplicate(batch, name, blob, sniffed, twin.item if twin else None)
    return document


def _live_item_with_original(sha256: str, agency_ids: list[int]) -> Item | None:
    file = (
        File.objects.filter(sha256=sha256, role=File.Role.ORIGINAL, item__agency_id__in=agency_ids)
        .exclude(item__status=Item.Status.DESTROYED)
        .select_related("item")
        .first()
    )
    return file.item if file else None


def reject(batch: Batch, name: str, data: bytes, reason: str) -> Document:
    document = Document.objects.create(
        batch=batch, original_name=name[:255], size=len(data), status=Status.REJECTED, error=reason
    )
    audit.record(audit.Action.REJECT, document, detail={"reason": reason})
    return document


def _duplicate(batch, name, blob, sniffed, item: Item | None) -> Document:
    return Document.objects.create(
        batch=batch,
        original_name=name[:255],
        sha256=blob.sha256,
        size=blob.size,
        media_type=sniffed.media_type,
        status=Status.DUPLICATE,
        duplicate_of=item,
        error=f"与已有的件相同：{item}" if item else "同一文件正在处理",
    )


# --- claim ------------------------------------------------------------------------------------


def claim(document_id: int, worker: str) -> Document | None:
    """Take the document for this worker unless it is finished or leased by a live worker."""
    lease = dt.timedelta(seconds=getattr(settings, "HEDANG_INGEST_LEASE_SECONDS", 1800))
    now = timezone.now()
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.finished:
            return None
        leased = document.lease_until and document.lease_until > now
        if document.status == Status.PROCESSING and leased and document.worker != worker:
            return None
        document.status = Status.PROCESSING
        document.worker = worker
        document.lease_until = now + lease
        document.attempts += 1
        document.save(update_fields=["status", "worker", "lease_until", "attempts", "updated_at"])
    return document


def fail(document: Document, exc: Exception) -> None:
    """Leave the document visibly in need of attention; the original stays stored."""
    message = f"{type(exc).__name__}: {exc}"[:2000]
    Document.objects.filter(pk=document.pk).update(
        status=Status.ATTENTION, error=message, lease_until=None, updated_at=timezone.now()
    )
    audit.record(audit.Action.FAIL, document, detail={"step": document.step, "error": message})


# --- ocr ----------------------------------------------------------------------------------


def ocr_step(document: Document) -> Document:
    """Check and straighten the scanned pages, OCR them; store the result beside the original."""
    if document.ocr_sha256:
        return document
    original = read_blob(document.sha256)
    sniffed = sniff.sniff(document.original_name, original, limits())
    prepared = scanprep.prepare(original, sniffed.media_type, scanprep.profile_of(document))
    deskew = not prepared.straightened and not sniffed.has_text
    output = ocr.run_ocr(
        prepared.pdf, has_text=sniffed.has_text, deskew=deskew, settings=ocr_settings()
    )
    prepared = scanprep.after_ocr(prepared, output.pdf, ocr_straightened=deskew)
    stored = store_bytes(output.pdf)
    document.ocr_sha256 = stored.sha256
    document.page_texts = [clean_text(t) for t in output.page_texts]
    document.step = "ocr"
    with transaction.atomic():
        scanprep.record(document, prepared.summary())
        fields = ["ocr_sha256", "page_texts", "page_quality", "step", "updated_at"]
        document.save(update_fields=fields)
        if any(output.pages):
            formocr.save_result(document, output.pages)
    return document


# --- analyse and file ---------------------------------------------------------------------


def subtype_rules(agency_id: int | None = None) -> list[SubtypeRule]:
    subtypes = Subtype.objects.exclude(title_keywords="")
    if agency_id is not None:
        subtypes = subtypes.filter(agency__isnull=True) | subtypes.filter(agency_id=agency_id)
    return [
        SubtypeRule(s.pk, s.category, tuple(k.strip() for k in s.title_keywords.split(",") if k))
        for s in subtypes
    ]


def analyse(document: Document, batch: Batch, today: dt.date) -> Analysis:
    texts = tuple(document.page_texts)
    found = find_identifiers(texts, today=today)
    notes = []
    subtype_id, category = batch.subtype_id, batch.category
    if subtype_id is None:
        rules = subtype_rules(batch.agency_id)
        # The title, else the table form's template (ingest.formocr); a mismatch: review.
        rule, form_notes = formocr.form_subtype(document, match_subtype(texts, rules), rules)
        notes += form_notes
        if rule is not None and not (category and rule.category != category):
            subtype_id, category = rule.subtype_id, rule.category
        elif category:
            notes.append("未能从标题识别子类")
    if subtype_id is not None:
        subtype_id, category = _review_report_subtype(subtype_id, found)
    agency_ids = batch.agency.jurisdiction_ids()
    decision = link(found, agency_ids=agency_ids, named_household_id=batch.household_id)
    if batch.household_id is None:
        decision = formocr.roster_decision(document, agency_ids) or decision
    return Analysis(
        texts=texts,
        found=found,
        subtype_id=subtype_id,
        category=category or "",
        decision=decision,
        formation_date=formation_date(found, today),
        notes=tuple(notes),
    )


def _review_report_subtype(subtype_id: int, found: Found) -> tuple[int, str]:
    """A 核对报告 whose number has nature s or t is a 复核核对报告."""
    subtype = Subtype.objects.get(pk=subtype_id)
    if subtype.code == "HDB" and any(n[-4] in "st" for n in found.report_numbers if len(n) > 4):
        review = Subtype.objects.filter(code="FHB").first()
        if review is not None:
            return review.pk, review.category
    return subtype.pk, subtype.category


def find_stack(document: Document) -> tuple[bytes, parts.StackPlan] | None:
    """Ask each splitter (settings.HEDANG_INGEST_SPLITTERS, e.g. separator sheets in app
    ``scanning``) whether the document is a stack of several items. A splitter's
    ``detect(document, pdf)`` only reads (run outside the write transaction: it may render every
    page) and returns None or a plan (ingest.parts.StackPlan); the pipeline builds the parts."""
    splitters = [import_string(p) for p in getattr(settings, "HEDANG_INGEST_SPLITTERS", ())]
    if not splitters:
        return None
    pdf = parts.stack_pdf(document)
    for splitter in splitters:
        plan = splitter.detect(document, pdf)
        if plan is not None:
            return pdf, plan
    return None


def file_step(document: Document, today: dt.date | None = None) -> Document:
    """Create the item with its files and pages; file it, or leave it for review."""
    today = today or timezone.localdate()
    stack = find_stack(document) if document.item_id is None else None
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.item_id is not None:
            return document
        batch = Batch.objects.select_related("agency").get(pk=document.batch_id)
        if stack is not None:  # a stack with separator sheets: one item per sheet
            pdf, plan = stack
            targets = parts.resolve(plan, batch)
            ready = plan.certain
            if ready:
                items = parts.file_parts(document, batch, today, pdf, plan, targets)
                ready = all(i.status == Item.Status.FILED for i in items)  # undated: review
            else:
                whole = item_for(document, batch, analyse(document, batch, today), today)
                items = [parts.hold_for_review(document, whole, plan)]
        else:
            analysis = analyse(document, batch, today)
            items = [item_for(document, batch, analysis, today)]
            ready = analysis.decision.linked and analysis.subtype_id is not None
            ready = ready and items[0].formation_date is not None  # ingest.dating
            if ready:
                file_item(items[0])
        item = items[0]
        document.item = item
        document.status = Status.FILED if ready else Status.REVIEW
        document.step = "filed"
        document.lease_until = None
        document.error = ""
        document.save()
    # The index follows the filed items through search's signals (filing saves each item
    # after its pages exist); this step only records that it is done.
    Document.objects.filter(pk=document.pk).update(step="indexed")
    return document


def retry(document: Document) -> Document:
    """Put a document that needs attention back in the queue; its stored steps are kept."""
    if document.status != Status.ATTENTION:
        return document
    Document.objects.filter(pk=document.pk).update(
        status=Status.QUEUED, error="", lease_until=None, worker="", updated_at=timezone.now()
    )
    document.refresh_from_db()
    audit.record(audit.Action.CHANGE, document, detail={"retry": True})
    return document


# --- the whole run in this process ----------------------------------------------------------


def process(document_id: int, worker: str = "local") -> Document | None:
    """Every remaining step of one document, here and now (``ingest --sync``, retries)."""
    document = claim(document_id, worker)
    if document is None:
        return Document.objects.filter(pk=document_id).first()
    try:
        ocr_step(document)
        return file_step(document)
    except Exception as exc:  # any failure must leave a visible, retryable state
        log.exception("ingest of document %s failed", document_id)
        fail(document, exc)
        return Document.objects.get(pk=document_id)
