"""Writing and checking the hash-chained operation log.

``record`` is the only writer. It locks the single ``AuditHead`` row, so concurrent writers
append one after another and every entry carries the hash of the entry before it.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from archive.models import AuditEntry, AuditHead
from archive.models.audit import GENESIS_HASH

Action = AuditEntry.Action


@dataclass(frozen=True)
class RequestContext:
    user: Any
    ip_address: str


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "hedang_audit_context", default=None
)


_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "hedang_audit_suppressed", default=False
)


@contextlib.contextmanager
def bulk_operation(action: str, *, object_type: str, object_repr: str, detail: dict | None = None):
    """One entry for a bulk system operation instead of one per row it touches.

    Only for work that is itself a single recorded act (loading the region list); the entry is
    written when the block succeeds.
    """
    token = _suppressed.set(True)
    summary: dict = dict(detail or {})
    try:
        yield summary
    finally:
        _suppressed.reset(token)
    record(action, object_type=object_type, object_repr=object_repr, detail=summary)


def suppressed() -> bool:
    return _suppressed.get()


@contextlib.contextmanager
def model_entries_suppressed():
    """No per-row entries from the model signals inside the block; the caller records one
    entry for the whole act itself (e.g. a platform push: household, members, case, item
    and files filed together, in one transaction)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def set_context(user: Any, ip_address: str) -> contextvars.Token:
    return _current.set(RequestContext(user=user, ip_address=ip_address))


def reset_context(token: contextvars.Token) -> None:
    _current.reset(token)


def current_user() -> Any:
    ctx = _current.get()
    return ctx.user if ctx else None


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    user: Any = None,
    request=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    """Append one entry. Actor and address default to the current request's."""
    ctx = _current.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is None and ctx is not None:
        user = ctx.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    ip = client_ip(request) if request is not None else (ctx.ip_address if ctx else "")
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    entry = AuditEntry(
        actor=user,
        actor_name=getattr(user, "username", "") if user else "",
        agency_code=user.agency.region_code if user and user.agency_id else "",
        action=action,
        object_type=object_type,
        object_id=object_id[:80],
        object_repr=object_repr[:200],
        detail=detail or {},
        ip_address=ip,
    )
    with transaction.atomic():
        head = _locked_head()
        entry.timestamp = timezone.now()
        entry.prev_hash = head.last_hash
        entry.entry_hash = entry.compute_hash()
        entry.save()
        AuditHead.objects.filter(pk=head.pk).update(last_hash=entry.entry_hash, last_id=entry.pk)
    return entry


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS_HASH})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


@dataclass(frozen=True)
class ChainReport:
    entries: int
    intact: bool
    first_broken: int | None
    reason: str = ""


def verify_chain() -> ChainReport:
    """Re-compute every hash in id order; report the first entry whose link is broken."""
    prev = GENESIS_HASH
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if entry.prev_hash != prev:
            return _broken(entry.pk, "前一条哈希不符（有条目被删除或插入）")
        if entry.compute_hash() != entry.entry_hash:
            return _broken(entry.pk, "内容与哈希不符（条目被篡改）")
        prev = entry.entry_hash
    head = AuditHead.objects.filter(pk=1).first()
    if head is None and count:
        # record() writes the head with the first entry; entries without it mean the head
        # row was removed, and with it the means to notice a truncated end.
        return ChainReport(count, False, None, "链头记录缺失，无法确认日志末尾完整")
    if head is not None and head.last_hash != prev:
        return ChainReport(count, False, head.last_id, "末尾条目缺失（日志被截断）")
    return ChainReport(count, True, None)


def _broken(entry_id: int, reason: str) -> ChainReport:
    # ``entries`` is the size of the whole log, not how far the check got.
    return ChainReport(AuditEntry.objects.count(), False, entry_id, reason)
