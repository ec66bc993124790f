"""Destruction batches: register, the head's approval, two supervisors, execution.

Order of a batch: proposed (the register is built from the items' appraisals) → approved by
the agency head → checked by at least two supervisors (监销人), neither of them the proposer
→ executed. Execution refuses while any item is held. It deletes every electronic copy of the
items except blobs still used by an item that is not destroyed, removes them from the search
index, keeps each item as a 已销毁 placeholder with its operation log, and keeps the signed
register and report PDFs permanently.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from wagtail import hooks

import search
from archive import audit
from archive.models import File, Item, Page, PrintTask
from archive.storage import BlobLocked, destroy_blob, store_bytes
from retention import pdfs, worm
from retention.holds import held_sets
from retention.models import AppraisalDecision, BatchItem, DestructionBatch, DueEntry, Supervision
from retention.timer import add_years

REQUIRED_SUPERVISORS = 2
# The register and the report are kept permanently: on S3 they are locked (COMPLIANCE) for a
# century, renewable; S3 has no "forever" retention.
PERMANENT_YEARS = 100
OPEN_STATES = (DestructionBatch.Status.DRAFT, DestructionBatch.Status.APPROVED)


class DestructionError(ValueError):
    """The step is refused (wrong order, wrong person, held items…); nothing changed."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def proposable(agency_ids=None):
    """Due entries proposed for destruction and not in an open or executed batch."""
    in_batch = BatchItem.objects.exclude(batch__status=DestructionBatch.Status.CANCELLED)
    qs = DueEntry.objects.filter(state=DueEntry.State.PROPOSED).exclude(
        item_id__in=in_batch.values("item_id")
    )
    if agency_ids is not None:
        qs = qs.filter(item__agency_id__in=agency_ids)
    return qs.select_related("item", "item__household")


@transaction.atomic
def propose(
    items: list[Item],
    *,
    title: str,
    reason: str,
    user,
    place: str = "",
    method: str = "",
    request=None,
) -> DestructionBatch:
    title, reason = (title or "").strip(), (reason or "").strip()
    if not items:
        raise DestructionError("请选择拟销毁的档案", "empty")
    if not title or not reason:
        raise DestructionError("请填写批次名称和销毁理由", "required")
    agencies = {i.agency_id for i in items}
    if len(agencies) != 1:
        raise DestructionError("一个销毁批次只能包含同一核对机构的档案", "agency")
    open_ids = set(proposable().filter(item__in=items).values_list("item_id", flat=True))
    not_open = [str(i) for i in items if i.pk not in open_ids]
    if not_open:
        raise DestructionError(
            "这些件未经鉴定拟销毁，或已在其他批次中：" + "、".join(not_open), "not_proposed"
        )
    held = held_sets()
    blocked = [f"{i}（{r}）" for i in items if (r := held.reason(i.pk, i.household_id, i.case_id))]
    if blocked:
        raise DestructionError("冻结中的档案不能列入销毁批次：" + "、".join(blocked), "held")
    batch = DestructionBatch.objects.create(
        agency_id=agencies.pop(),
        title=title,
        reason=reason,
        proposed_by=user,
        place=place,
        **({"method": method} if method else {}),
    )
    for item in sorted(items, key=lambda i: i.archive_number or ""):
        decision = (
            AppraisalDecision.objects.filter(item=item, decision="destroy")
            .select_related("appraisal")
            .order_by("-appraisal__created_at")
            .first()
        )
        BatchItem.objects.create(
            batch=batch,
            item=item,
            decision=decision,
            archive_number=item.archive_number or "",
            title=f"{item.household.head_name if item.household_id else ''}/{item.title}",
            year=item.year,
            retention=item.retention,
            due_on=decision.due_on,
            pages=item.page_count,
            files=item.files.count(),
            carrier=item.get_carrier_display(),
            opinion=f"{decision.appraisal.appraisers}：{decision.appraisal.reason}",
        )
    audit.record(
        audit.Action.REQUEST,
        batch,
        user=user,
        request=request,
        detail={"items": [i.archive_number for i in items], "reason": reason},
    )
    return batch


def _locked(batch: DestructionBatch) -> DestructionBatch:
    return DestructionBatch.objects.select_for_update().get(pk=batch.pk)


@transaction.atomic
def approve(batch: DestructionBatch, *, user, request=None) -> DestructionBatch:
    batch = _locked(batch)
    if not user.has_perm("retention.approve_destruction"):
        raise DestructionError("只有机构负责人可以批准销毁", "permission")
    if batch.status != DestructionBatch.Status.DRAFT:
        raise DestructionError(f"批次状态为“{batch.get_status_display()}”，不能批准", "state")
    if user.pk == batch.proposed_by_id:
        raise DestructionError("申请人不能批准自己提出的销毁", "self")
    batch.status, batch.approved_by, batch.approved_at = (
        DestructionBatch.Status.APPROVED,
        user,
        timezone.now(),
    )
    batch.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(audit.Action.APPROVE, batch, user=user, request=request)
    return batch


@transaction.atomic
def supervise(batch: DestructionBatch, *, user, note: str = "", request=None) -> Supervision:
    batch = _locked(batch)
    if not user.has_perm("retention.supervise_destruction"):
        raise DestructionError("没有监销权限", "permission")
    if batch.status != DestructionBatch.Status.APPROVED:
        raise DestructionError("机构负责人批准后才能监销确认", "state")
    if user.pk == batch.proposed_by_id:
        raise DestructionError("申请人不能担任监销人", "self")
    if batch.supervisions.filter(user=user).exists():
        raise DestructionError("您已确认过本批次", "duplicate")
    sup = Supervision.objects.create(batch=batch, user=user, note=(note or "").strip()[:200])
    audit.record(
        audit.Action.CHECK,
        batch,
        user=user,
        request=request,
        detail={"supervision": sup.pk, "note": sup.note},
    )
    return sup


@transaction.atomic
def cancel(batch: DestructionBatch, *, user, reason: str, request=None) -> DestructionBatch:
    batch = _locked(batch)
    if batch.status not in OPEN_STATES:
        raise DestructionError("已执行或已撤销的批次不能撤销", "state")
    if not (reason or "").strip():
        raise DestructionError("请填写撤销原因", "required")
    batch.status = DestructionBatch.Status.CANCELLED
    batch.save(update_fields=["status"])
    audit.record(audit.Action.REFUSE, batch, user=user, request=request, detail={"reason": reason})
    return batch


def readiness(batch: DestructionBatch) -> list[str]:
    """What still stands in the way of executing ``batch`` (empty when it may execute)."""
    problems = []
    if batch.status != DestructionBatch.Status.APPROVED:
        problems.append(
            "须经机构负责人批准"
            if batch.status == DestructionBatch.Status.DRAFT
            else f"批次状态为“{batch.get_status_display()}”"
        )
    if batch.approved_by_id and batch.approved_by_id == batch.proposed_by_id:
        problems.append("批准人不能是申请人")
    supervisors = {s.user_id for s in batch.supervisions.all()} - {batch.proposed_by_id}
    if len(supervisors) < REQUIRED_SUPERVISORS:
        problems.append(f"须有两名申请人以外的监销人确认（现有 {len(supervisors)} 名）")
    held = held_sets()
    for line in batch.lines.select_related("item"):
        item = line.item
        if reason := held.reason(item.pk, item.household_id, item.case_id):
            problems.append(f"{line.archive_number} 冻结中：{reason}")
    return problems


def execute(
    batch: DestructionBatch,
    *,
    user,
    paper_method: str = "",
    paper_place: str = "",
    paper_time: dt.datetime | None = None,
    request=None,
) -> DestructionBatch:
    with transaction.atomic():
        batch = _locked(batch)
        if not user.has_perm("retention.execute_destruction"):
            raise DestructionError("没有执行销毁的权限", "permission")
        if problems := readiness(batch):
            raise DestructionError("不能执行销毁：" + "；".join(problems), "not_ready")
        lines = list(batch.lines.select_related("item"))
        item_ids = [line.item_id for line in lines]
        files = list(File.objects.filter(item_id__in=item_ids).values("item_id", "sha256", "role"))
        shas = {f["sha256"] for f in files}
        shared = set(
            File.objects.filter(sha256__in=shas)
            .exclude(item_id__in=item_ids)
            .values_list("sha256", flat=True)
        )
        purge = sorted(shas - shared)
        now = timezone.now()
        batch.status, batch.executed_by, batch.executed_at = (
            DestructionBatch.Status.EXECUTED,
            user,
            now,
        )
        if paper_method:
            batch.paper_method, batch.paper_place = paper_method, paper_place
            batch.paper_destroyed_at = paper_time or now
        batch.objects_removed, batch.objects_kept = len(purge), len(shas & shared)
        batch.register_sha256 = store_bytes(pdfs.register_pdf(batch)).sha256
        batch.report_sha256 = store_bytes(pdfs.report_pdf(batch)).sha256
        batch.pending_blobs = purge
        batch.save()
        for sha in (batch.register_sha256, batch.report_sha256):
            worm.lock_blob(sha, add_years(timezone.localdate(), PERMANENT_YEARS))
        with audit.model_entries_suppressed():
            PrintTask.objects.filter(item_id__in=item_ids).update(file=None)
            Page.objects.filter(item_id__in=item_ids).delete()
            File.objects.filter(item_id__in=item_ids).delete()
        for line in lines:
            item = line.item
            item.status = Item.Status.DESTROYED
            item.status_detail = f"{now:%Y-%m-%d} 经销毁批次 #{batch.pk} 销毁，目录信息保留"
            item.fields = {}
            with audit.model_entries_suppressed():
                item.save(update_fields=["status", "status_detail", "fields", "updated_at"])
            search.remove_item(item)
            audit.record(
                audit.Action.DESTROY,
                item,
                user=user,
                request=request,
                detail={
                    "batch": batch.pk,
                    "files": [
                        f"{f['role']}:{f['sha256']}" for f in files if f["item_id"] == item.pk
                    ],
                    "kept_shared": sorted(shas & shared),
                },
            )
        DueEntry.objects.filter(item_id__in=item_ids).update(state=DueEntry.State.DESTROYED)
        # Other apps drop what they keep of these items' content (ingest's page texts…) in
        # the same transaction: if one fails, nothing is destroyed.
        for fn in hooks.get_hooks("hedang_item_destroyed"):
            fn(list(item_ids))
        audit.record(
            audit.Action.DESTROY,
            batch,
            user=user,
            request=request,
            detail={
                "items": len(lines),
                "objects": len(purge),
                "register": batch.register_sha256,
                "report": batch.report_sha256,
            },
        )
    purge_pending(batch)
    return batch


def purge_pending(batch: DestructionBatch) -> int:
    """Delete the blobs an executed batch still owes; safe to repeat after a failure."""
    removed = 0
    for sha in list(batch.pending_blobs):
        if File.objects.filter(sha256=sha).exists():
            pass  # used again since (the same bytes filed anew): kept
        else:
            try:
                removed += destroy_blob(sha)
            except BlobLocked as exc:
                audit.record(audit.Action.ALARM, batch, detail={"blob": sha, "error": str(exc)})
                raise DestructionError(str(exc), "locked") from exc
        batch.pending_blobs.remove(sha)
        DestructionBatch.objects.filter(pk=batch.pk).update(pending_blobs=batch.pending_blobs)
    return removed


@transaction.atomic
def record_paper(
    batch: DestructionBatch, *, method: str, place: str, when: dt.datetime, user, request=None
) -> DestructionBatch:
    """Record how, where and when the paper was destroyed; a new signed report is made (the
    earlier one stays in storage and in the log)."""
    batch = _locked(batch)
    if batch.status != DestructionBatch.Status.EXECUTED:
        raise DestructionError("批次执行销毁后才能登记纸质销毁", "state")
    if not (method or "").strip() or not (place or "").strip() or when is None:
        raise DestructionError("请填写纸质档案的销毁方式、地点和时间", "required")
    previous = batch.report_sha256
    batch.paper_method, batch.paper_place, batch.paper_destroyed_at = (
        method.strip(),
        place.strip(),
        when,
    )
    batch.report_sha256 = store_bytes(pdfs.report_pdf(batch)).sha256
    worm.lock_blob(batch.report_sha256, add_years(timezone.localdate(), PERMANENT_YEARS))
    batch.save(update_fields=["paper_method", "paper_place", "paper_destroyed_at", "report_sha256"])
    audit.record(
        audit.Action.DESTROY,
        batch,
        user=user,
        request=request,
        detail={
            "paper_method": batch.paper_method,
            "paper_place": batch.paper_place,
            "paper_time": when.isoformat(),
            "report": batch.report_sha256,
            "previous_report": previous,
        },
    )
    return batch
