"""Filing what the main platform pushes: reports and other born-digital materials.

``push`` runs in three steps:

1. **Replay**: a receipt with the same idempotency key (the report number) answers at once:
   the same bytes get the stored receipt (200), other bytes 409; nothing changes.
2. **Prepare** (no database writes): pyHanko validates every signature (a tampered file is
   refused), pdfium extracts the page text.
3. **File** in one transaction whose first statement inserts the receipt row: a concurrent
   push of the same key waits on that unique key and, once the winner commits, gets the
   winner's receipt (or 409) instead of filing twice. Then the blob, the household (created
   or updated with its members and obligors), the case, the item with its original and
   pages, its 档号 (``file_item``), the print task and the seal job.

The archive's seal on the access copy is made by a worker after the commit (push/sealing.py;
the receipt says 已接收，封存中), or in the request with ``HEDANG_PUSH_SEAL=inline``. The
print copy (归档章 on page 1) is made when it is first printed or fetched (push/printing.py).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from archive import audit, filing, signing
from archive.items import StoredFile, create_item
from archive.models import File, Item, Member, PlatformReceipt, PlatformToken, PrintTask
from archive.storage import store_bytes
from push import sealing
from push.models import SealJob
from push.platform_records import upsert_case, upsert_household
from push.platform_rules import Push, Rejected
from search import service as search_service

log = logging.getLogger(__name__)
PDF = "application/pdf"

ATTEMPTS = 4
_pdfium_lock = threading.Lock()  # pdfium is not thread-safe


@dataclass(frozen=True)
class Prepared:
    data: bytes
    sha256: str
    name: str
    pages: tuple[str, ...]
    signatures: signing.SignatureReport
    sealed: bytes | None  # None: a worker seals it after the commit
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    status: int  # 201 filed now, 200 filed before with the same bytes
    receipt: dict
    item_id: int | None
    # True when the filing's operation-log entry is also the request's (``request`` given
    # to :func:`push` and filed now): the caller writes no second entry for the request.
    logged: bool = False


FLAG_REMARKS = {
    "unsigned": "平台推送的文件未签名",
    "untrusted": "平台推送文件的签名完整，但证书链未通向配置的信任根",
}


def push(
    spec: Push,
    data: bytes,
    name: str,
    token: PlatformToken | None,
    request: dict | None = None,
) -> Outcome:
    """File ``data`` as ``spec`` says, or replay the earlier receipt.

    ``request``: the request's operation-log detail (path, method, token…). A push filed now
    writes it, with status 201, into the filing's one entry, in the filing transaction: one
    chained entry per filed push instead of a filing entry and a request entry. A replay or
    a refusal writes nothing here; the API logs that request after its response."""
    sha256 = hashlib.sha256(data).hexdigest()
    replayed = replay(spec.key, sha256)
    if replayed is not None:
        return replayed
    prepared = prepare(data, sha256, name, spec.agency.name)
    return _file_with_retries(spec, prepared, token, request)


def replay(key: str, sha256: str) -> Outcome | None:
    existing = PlatformReceipt.objects.filter(key=key, item__isnull=False).first()
    if existing is None:
        return None
    if existing.sha256 == sha256:
        return Outcome(200, _ordered(existing.receipt), existing.item_id)
    what = key.split(":", 1)[1] if key.startswith("report:") else "该材料"
    raise Rejected(
        409,
        "conflict",
        f"{what} 已归档（档号 {existing.receipt.get('archive_number')}），"
        f"本次文件内容不同（SHA-256 {sha256[:16]}…），未作任何改动",
        "file",
    )


RECEIPT_KEYS = ("archive_number", "household", "sha256", "signature", "archived_at", "seal")
SIGNATURE_KEYS = ("present", "valid", "signer")
SEAL_KEYS = ("status", "message")
# What the receipt promises about the archive's seal; the live state is on the item
# (GET /api/v1/items/{档号}/signatures). A receipt is kept as it was first given.
SEAL_PENDING = {"status": "pending", "message": "已接收，封存中：归档签章副本由后台加盖"}
SEAL_DONE = {"status": "sealed", "message": "已接收，已封存"}


def _ordered(receipt: dict) -> dict:
    """The stored receipt in the contract's key order (PostgreSQL's jsonb reorders keys)."""
    body = {k: receipt[k] for k in RECEIPT_KEYS if k in receipt}
    if isinstance(body.get("signature"), dict):
        body["signature"] = {k: body["signature"].get(k) for k in SIGNATURE_KEYS}
    if isinstance(body.get("seal"), dict):
        body["seal"] = {k: body["seal"].get(k) for k in SEAL_KEYS}
    return body


# ---------------------------------------------------------------------------------------------
# Step 2: checks and derived files, before anything is stored
# ---------------------------------------------------------------------------------------------


def page_texts(data: bytes) -> tuple[str, ...]:
    import pypdfium2 as pdfium

    with _pdfium_lock:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise Rejected(422, "not_pdf", f"PDF 无法打开：{exc}", "file") from exc
        try:
            texts = []
            for index in range(len(doc)):
                page = doc[index]
                textpage = page.get_textpage()
                texts.append(textpage.get_text_bounded().replace("\r\n", "\n").strip())
                textpage.close()
                page.close()
        finally:
            doc.close()
    if not texts:
        raise Rejected(422, "not_pdf", "PDF 没有页面", "file")
    return tuple(texts)


def prepare(data: bytes, sha256: str, name: str, agency_name: str) -> Prepared:
    if len(data) > settings.HEDANG_PUSH_MAX_BYTES:
        raise Rejected(413, "too_large", too_large_message(), "file")
    try:
        report = signing.check_signatures(data)
    except signing.PdfUnreadable as exc:
        raise Rejected(422, exc.code, str(exc), "file") from exc
    pages = page_texts(data)
    if report.tampered:
        bad = [s for s in report.signatures if s.tampered]
        reasons = "；".join(
            f"签名域 {s.field}（{s.signer or '未知签名人'}）：{_why(s)}" for s in bad
        )
        raise Rejected(422, "signature_invalid", f"签名校验失败，拒收：{reasons}", "file")
    flags: list[str] = []
    if not report.present:
        if settings.HEDANG_PUSH_UNSIGNED == "refuse":
            raise Rejected(422, "unsigned", "文件未签名；本系统设置为拒收未签名文件", "file")
        flags.append("unsigned")
    elif not report.valid:
        if settings.HEDANG_PUSH_UNTRUSTED == "refuse":
            raise Rejected(
                422, "untrusted_signature", "签名证书不是由配置的信任根签发，拒收", "file"
            )
        flags.append("untrusted")
    sealed = None
    if not sealing.deferred():
        try:
            sealed = sealing.seal_copy(data, agency_name, timezone.now())
        except sealing.SealRefused as exc:
            raise Rejected(422, "cannot_seal", str(exc), "file") from exc
    return Prepared(data, sha256, name, pages, report, sealed, tuple(flags))


def _why(check: signing.SignatureCheck) -> str:
    if check.error:
        return f"无法校验（{check.error}）"
    if not check.intact:
        return "签名后文件被改动（摘要不符）"
    if not check.cryptographically_valid:
        return "签名值无效"
    if check.docmdp_ok is False:
        return "签名后有不允许的修改"
    return "签名覆盖范围异常"


def too_large_message() -> str:
    return f"文件超过上限 {settings.HEDANG_PUSH_MAX_BYTES // (1024 * 1024)} MB"


# ---------------------------------------------------------------------------------------------
# Step 3: the filing transaction
# ---------------------------------------------------------------------------------------------


def _file_with_retries(spec: Push, prepared: Prepared, token, request: dict | None) -> Outcome:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _file(spec, prepared, token, request)
        except (IntegrityError, OperationalError) as exc:
            # A deadlock with another filer (PostgreSQL aborts one of them) or a row another
            # push created meanwhile: the transaction rolled back whole; try again.
            if attempt == ATTEMPTS:
                raise
            log.info("platform push %s: attempt %d failed (%s); retrying", spec.key, attempt, exc)
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _file(spec: Push, prepared: Prepared, token, request: dict | None) -> Outcome:
    try:
        with transaction.atomic():
            receipt = PlatformReceipt.objects.create(
                key=spec.key, kind=spec.kind, token=token, sha256=prepared.sha256
            )
            summary: dict = {"source": "platform", "key": spec.key}
            # The search index follows the signals of every row written (household, members,
            # case, item): collected and written once, in this transaction, except the new
            # item itself, indexed right after the commit (below): the filing transaction
            # holds the class's 件号 counter and, at its end, the log's chain head, so it is
            # kept short; the item is still in the index before the receipt is given.
            with audit.model_entries_suppressed(), search_service.deferred():
                body, item, members = _file_locked(spec, prepared, token, summary)
                search_service.withdraw([item.pk])
            PlatformReceipt.objects.filter(pk=receipt.pk).update(item=item, receipt=body)
            if request is not None:
                summary["request"] = {
                    **request,
                    "status": 201,
                    "archive_number": item.archive_number,
                    "outcome": "filed",
                }
            # One operation-log entry for the whole filing (household, members, case, item,
            # files) and, given ``request``, for the request too. The last statement before
            # the commit: the log's chain head stays locked only for this insert and the
            # commit, not for the filing (every filer, and every API request, queues there).
            audit.record(audit.Action.CREATE, item, detail=summary)
    except IntegrityError:
        # Most likely the same key, filed by a concurrent push that committed first.
        replayed = replay(spec.key, prepared.sha256)
        if replayed is None:
            raise
        return replayed
    _index_filed(item, members, prepared.pages)
    return Outcome(201, body, item.pk, logged=request is not None)


def _index_filed(item: Item, members: list[Member], pages: tuple[str, ...]) -> None:
    # Filed is filed: as the index's own signals do, a failure to index is logged and never
    # fails the push (search_check names the item missing; reindex or the next change of the
    # item mends it). The document is built from what the filing holds (the item with its
    # household, case, agency and subtype, the members, the page texts): reading them back
    # cost four queries and their ORM work, about an eighth of the request's CPU.
    try:
        search_service.index_written(item, members=members, page_texts=pages)
    except Exception:  # noqa: BLE001
        log.exception("search: could not index pushed item %s", item.archive_number)


def _file_locked(
    spec: Push, prepared: Prepared, token, summary: dict
) -> tuple[dict, Item, list[Member]]:
    original = store_bytes(prepared.data)
    files = [StoredFile.of(original, File.Role.ORIGINAL, PDF, original_name=name_of(prepared))]
    sealed = None
    if prepared.sealed is not None:
        sealed = store_bytes(prepared.sealed)
        files.append(StoredFile.of(sealed, File.Role.SIGNED, PDF, original_name="sealed.pdf"))
    household, members = upsert_household(spec, summary)
    case = upsert_case(spec, household, summary)
    fields = dict(spec.fields)
    fields["signature"] = prepared.signatures.receipt()
    fields["signatures"] = [s.as_dict() for s in prepared.signatures.signatures]
    fields["platform"] = {
        "token": token.name if token else None,
        "kind": spec.kind,
        "flags": list(prepared.flags),
        "received_at": timezone.now().isoformat(),
    }
    item = create_item(
        household=household,
        agency=spec.agency,
        case=case,
        category=spec.category,
        subtype=spec.subtype,
        title=spec.title[:300],
        document_number=spec.document_number[:60],
        responsible=spec.responsible[:100],
        formation_date=spec.formation_date,
        carrier=Item.Carrier.ELECTRONIC,
        remarks="；".join(FLAG_REMARKS[f] for f in prepared.flags),
        fields=fields,
        files=files,
        pages=prepared.pages,
    )
    # The 档号: gap-free, in this transaction (no savepoint: a failure rolls the filing back).
    filing.file_item(item, filing_fields_only=True, savepoint=False)
    if spec.category in settings.HEDANG_PUSH_PRINT_CATEGORIES:
        PrintTask.objects.create(item=item)  # its copy is made when it is printed
    if sealed is None:
        SealJob.objects.create(item=item)
        transaction.on_commit(lambda item_id=item.pk: sealing.enqueue(item_id))
    else:
        SealJob.objects.create(item=item, status=SealJob.Status.SEALED, sealed_at=timezone.now())
    summary.update(
        archive_number=item.archive_number,
        token=token.prefix if token else None,
        files={"original": original.sha256, "signed": sealed.sha256 if sealed else None},
        pages=len(prepared.pages),
        signature=prepared.signatures.receipt(),
        flags=list(prepared.flags),
    )
    body = {
        "archive_number": item.archive_number,
        "household": household.head_id_number,
        "sha256": prepared.sha256,
        "signature": prepared.signatures.receipt(),
        "archived_at": timezone.localtime(item.filed_at).isoformat(),
        "seal": dict(SEAL_DONE if sealed else SEAL_PENDING),
    }
    return body, item, members


def name_of(prepared: Prepared) -> str:
    return (prepared.name or "document.pdf")[:255]
