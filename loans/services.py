"""The loan's state machine: every step checks its rules first and changes nothing on refusal.

requested → approved | refused → issued → closed, or → incident (a counted return that does not
match, or damage) → closed once every incident is resolved. Paper is issued to the reading room
only; there is no state for files taken out of the archive.

Each public step runs in its own transaction. A refusal raises :class:`LoanRefused` after the
transaction is rolled back, and is logged (``denied`` for self-approval or another
jurisdiction, ``reject`` for bad input or a wrong order of steps) so the log shows every try.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from archive import audit
from archive.models import User
from archive.storage import store_bytes
from loans.models import Incident, Loan, LoanItem
from loans.rules import Borrower, LoanRefused, check_borrower, check_items, parse_count


def _logged(step: str):
    """Log a refusal of ``step`` once the step's transaction is gone, then re-raise."""

    def wrap(func):
        @functools.wraps(func)
        def inner(*args, request=None, **kwargs):
            try:
                return func(*args, **kwargs)
            except LoanRefused as exc:
                target = args[0] if isinstance(args[0], (Loan, Incident)) else None
                user = args[1] if target is not None else args[0]
                audit.record(
                    audit.Action.DENIED if exc.denied else audit.Action.REJECT,
                    target,
                    user=user,
                    request=request,
                    object_type="" if target else "loans.Loan",
                    detail={
                        "step": step,
                        "code": exc.code,
                        "field": exc.field,
                        "message": exc.message,
                    },
                )
                exc.logged = True
                raise

        return inner

    return wrap


def _require(user: User, perm: str, what: str) -> None:
    if not user.has_perm(f"loans.{perm}"):
        raise LoanRefused(f"没有{what}的权限", "permission_denied", status=403, denied=True)


def _visible(loan: Loan, user: User) -> None:
    if not Loan.objects.visible_to(user).filter(pk=loan.pk).exists():
        raise LoanRefused("借阅单不存在或不在本机构辖区内", "not_found", status=404, denied=True)


def _state(loan: Loan, *allowed: str, doing: str) -> None:
    if loan.status not in allowed:
        need = "、".join(str(Loan.Status(s).label) for s in allowed)
        raise LoanRefused(
            f"借阅单当前为「{loan.get_status_display()}」，只有「{need}」的借阅单才能{doing}",
            "wrong_state",
            status=409,
        )


def _locked(loan: Loan) -> Loan:
    """Re-read the loan under a row lock: two clerks pressing the same button act once."""
    return Loan.objects.select_for_update().get(pk=loan.pk)


@_logged("request")
def request_loan(
    requester: User,
    *,
    borrower: Borrower,
    purpose: str,
    kind: str,
    items: Iterable[str],
    date: dt.date,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
) -> Loan:
    """A new loan in ``requested``, with its items and the page count each has now."""
    _require(requester, "add_loan", "申请借阅")
    if requester.agency_id is None:
        raise LoanRefused("账号未分配核对机构，不能登记借阅", "no_agency", status=403, denied=True)
    if kind not in Loan.Kind.values:
        raise LoanRefused("借阅方式须为 paper、electronic 或 both", "invalid_choice", "kind")
    if not (purpose or "").strip():
        raise LoanRefused("请填写借阅目的", "required", "purpose")
    if date < timezone.localdate():
        raise LoanRefused("借阅日期不能早于今天", "past_date", "date")
    start_time = start_time or dt.time(9, 0)
    end_time = end_time or dt.time(17, 0)
    if start_time >= end_time:
        raise LoanRefused("结束时间须晚于开始时间", "invalid_hours", "end_time")
    check_borrower(borrower)
    chosen = check_items(requester, items, kind)
    with transaction.atomic():
        letter_sha = ""
        if borrower.user is None:
            letter_sha = store_bytes(borrower.letter_bytes).sha256
        user = borrower.user
        loan = Loan.objects.create(
            agency=requester.agency,
            borrower_user=user,
            borrower_name=(user.real_name or user.username) if user else borrower.name.strip(),
            borrower_id_number="" if user else borrower.id_number.strip().upper(),
            borrower_unit=(user.agency.name if user.agency_id else "") if user else borrower.unit,
            letter_sha256=letter_sha,
            letter_name=borrower.letter_name[:200] if letter_sha else "",
            letter_media_type=borrower.letter_media_type if letter_sha else "",
            purpose=purpose.strip(),
            kind=kind,
            date=date,
            start_time=start_time,
            end_time=end_time,
            requested_by=requester,
        )
        LoanItem.objects.bulk_create(LoanItem(loan=loan, item=item) for item in chosen)
        audit.record(
            audit.Action.REQUEST,
            loan,
            user=requester,
            detail={"items": [i.archive_number for i in chosen], "kind": kind, "date": str(date)},
        )
    return loan


def _not_self(loan: Loan, user: User, doing: str) -> None:
    if user.pk in (loan.requested_by_id, loan.borrower_user_id):
        raise LoanRefused(
            f"不能{doing}自己提出或自己借阅的申请，须由其他有审批权限的人员办理",
            "self_approval",
            status=403,
            denied=True,
        )


@_logged("approve")
def approve(loan: Loan, user: User) -> Loan:
    _require(user, "approve_loan", "审批借阅")
    _visible(loan, user)
    with transaction.atomic():
        loan = _locked(loan)
        _state(loan, Loan.Status.REQUESTED, doing="批准")
        _not_self(loan, user, "批准")
        if loan.date < timezone.localdate():
            raise LoanRefused("借阅日期已过，不能再批准", "past_date", "date")
        loan.status, loan.decided_by, loan.decided_at = Loan.Status.APPROVED, user, timezone.now()
        loan.save()
        audit.record(audit.Action.APPROVE, loan, user=user)
    return loan


@_logged("refuse")
def refuse(loan: Loan, user: User, reason: str) -> Loan:
    _require(user, "approve_loan", "审批借阅")
    _visible(loan, user)
    if not (reason or "").strip():
        raise LoanRefused("请填写驳回理由", "required", "reason")
    with transaction.atomic():
        loan = _locked(loan)
        _state(loan, Loan.Status.REQUESTED, doing="驳回")
        _not_self(loan, user, "驳回")
        loan.status, loan.decided_by, loan.decided_at = Loan.Status.REFUSED, user, timezone.now()
        loan.refusal_reason = reason.strip()[:300]
        loan.save()
        audit.record(audit.Action.REFUSE, loan, user=user, detail={"reason": loan.refusal_reason})
    return loan


@_logged("issue")
def issue(loan: Loan, user: User) -> Loan:
    """Hand the items over in the reading room; record each item's page count as issued."""
    _require(user, "issue_loan", "发放借阅档案")
    _visible(loan, user)
    with transaction.atomic():
        loan = _locked(loan)
        _state(loan, Loan.Status.APPROVED, doing="发放")
        if loan.date != timezone.localdate():
            raise LoanRefused(f"只能在借阅当日（{loan.date}）发放", "wrong_day", "date")
        lines = list(loan.lines.select_related("item"))
        if loan.has_paper:
            busy = (
                LoanItem.objects.filter(
                    item__in=[line.item for line in lines],
                    loan__status__in=(Loan.Status.ISSUED, Loan.Status.INCIDENT),
                    loan__kind__in=(Loan.Kind.PAPER, Loan.Kind.BOTH),
                )
                .exclude(loan=loan)
                .select_related("item")
                .first()
            )
            if busy is not None:
                raise LoanRefused(
                    f"档号 {busy.item.archive_number} 正由借阅单 {busy.loan_id} 借阅，尚未归还",
                    "in_use",
                    "items",
                    status=409,
                )
        for line in lines:
            line.pages_issued = line.item.page_count
            line.save(update_fields=["pages_issued"])
        loan.status, loan.issued_by, loan.issued_at = Loan.Status.ISSUED, user, timezone.now()
        loan.save()
        audit.record(
            audit.Action.ISSUE,
            loan,
            user=user,
            detail={"pages": {line.item.archive_number: line.pages_issued for line in lines}},
        )
    return loan


@_logged("return")
def return_items(loan: Loan, user: User, entries: list[dict]) -> Loan:
    """The counted return (当面点清): every paper item with its counted pages and condition.

    A count that differs from what was issued, or damage, opens an incident and leaves the
    loan in ``incident``; otherwise the loan closes.
    """
    _require(user, "issue_loan", "点收归还档案")
    _visible(loan, user)
    if user.pk == loan.borrower_user_id:
        raise LoanRefused("借阅人不能自己点收归还", "self_return", status=403, denied=True)
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise LoanRefused("items 须为清点结果的列表", "invalid", "items")
    with transaction.atomic():
        loan = _locked(loan)
        _state(loan, Loan.Status.ISSUED, doing="归还")
        lines = {line.item.archive_number: line for line in loan.lines.select_related("item")}
        counted: dict[str, tuple[int, str, str]] = {}
        if loan.has_paper:
            for entry in entries:
                number = str(entry.get("archive_number") or "")
                if number not in lines:
                    raise LoanRefused(f"档号 {number} 不在本借阅单中", "unknown_item", "items")
                if number in counted:
                    raise LoanRefused(f"档号 {number} 重复清点", "duplicate", "items")
                counted[number] = parse_count(entry, number)
            missing = [n for n in lines if n not in counted]
            if missing:
                raise LoanRefused(
                    f"须逐件清点：缺少 {'、'.join(missing)} 的清点结果", "missing_count", "items"
                )
        opened = []
        for number, (pages, condition, note) in counted.items():
            line = lines[number]
            line.pages_counted, line.condition, line.note = pages, condition, note
            line.save(update_fields=["pages_counted", "condition", "note"])
            if pages != line.pages_issued:
                opened.append(
                    Incident(
                        loan=loan,
                        line=line,
                        kind=Incident.Kind.COUNT_MISMATCH,
                        detail=f"{number}：发放 {line.pages_issued} 页，归还清点 {pages} 页",
                    )
                )
            if condition == LoanItem.Condition.DAMAGED:
                opened.append(
                    Incident(
                        loan=loan,
                        line=line,
                        kind=Incident.Kind.DAMAGE,
                        detail=f"{number}：归还时损坏" + (f"（{note}）" if note else ""),
                    )
                )
        Incident.objects.bulk_create(opened)
        now = timezone.now()
        loan.returned_to, loan.returned_at = user, now
        loan.status = Loan.Status.INCIDENT if opened else Loan.Status.CLOSED
        loan.closed_at = None if opened else now
        loan.save()
        audit.record(
            audit.Action.RETURN,
            loan,
            user=user,
            detail={
                "counted": {n: {"pages": c[0], "condition": c[1]} for n, c in counted.items()},
                "incidents": [i.detail for i in opened],
            },
        )
    return loan


@_logged("resolve")
def resolve(incident: Incident, user: User, note: str) -> Incident:
    """Resolve an incident with a note; the loan closes when none is left open."""
    _require(user, "issue_loan", "处理借阅异常")
    _visible(incident.loan, user)
    if not (note or "").strip():
        raise LoanRefused("请填写处理说明", "required", "note")
    with transaction.atomic():
        loan = _locked(incident.loan)
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.resolved:
            raise LoanRefused("该异常已处理", "wrong_state", status=409)
        incident.resolved, incident.resolved_by = True, user
        incident.resolved_at, incident.resolution = timezone.now(), note.strip()
        incident.save()
        if not loan.incidents.filter(resolved=False).exists():
            loan.status, loan.closed_at = Loan.Status.CLOSED, timezone.now()
            loan.save()
        audit.record(
            audit.Action.RESOLVE,
            loan,
            user=user,
            detail={"incident": incident.pk, "note": incident.resolution, "closed": loan.status},
        )
    return incident
