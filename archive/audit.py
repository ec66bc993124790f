"""Writing and checking the hash-chained operation log.

``record`` is the only writer. It locks the single ``AuditHead`` row, so concurrent writers
append one after another and every entry carries the hash of the entry before it.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from archive.audit_keys import AuditKeyError, current_key
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


def _networks() -> list:
    nets = []
    for value in getattr(settings, "HEDANG_TRUSTED_PROXIES", []) or []:
        try:
            nets.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            continue
    return nets


def trusted_proxy(address: str) -> bool:
    """Whether ``address`` is one of HEDANG_TRUSTED_PROXIES (addresses or CIDR ranges)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks())


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or — only when REMOTE_ADDR is a trusted proxy — the
    right-most address of X-Forwarded-For that is not itself a trusted proxy (a client can
    prepend anything it likes to the header, so the left part is never believed)."""
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    if not trusted_proxy(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # a malformed hop: stop believing the header here
        if not trusted_proxy(hop):
            return hop
        remote = hop
    return remote


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
    agency_code: str = "",
) -> AuditEntry:
    """Append one entry. Actor and address default to the current request's.

    ``agency_code`` names the agency the entry belongs to when there is no actor (a failed
    login belongs to the agency of the account it named)."""
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
        agency_code=user.agency.region_code if user and user.agency_id else agency_code,
        action=action,
        object_type=object_type,
        object_id=object_id[:80],
        object_repr=object_repr[:200],
        detail=detail or {},
        ip_address=ip,
    )
    entry.key_id = current_key()[0]
    # No savepoint inside a caller's transaction (two round trips fewer while the chain head
    # is locked): an entry that cannot be written fails the whole act it records, and the
    # caller cannot catch the error and commit the act without its entry.
    with transaction.atomic(savepoint=False):
        head_hash = _locked_head_hash()
        entry.timestamp = timezone.now()
        entry.prev_hash = head_hash
        entry.entry_hash = entry.compute_hash()
        entry.save()
        _move_head(entry.entry_hash, entry.pk)
    return entry


# The chain head is read and moved in plain SQL: every entry (every API request) queues on
# this row lock, so what runs while it is held is kept short; the ORM's statements cost
# about half a millisecond of Python each to build, plain ones next to nothing.
HEAD_ID = 1


def _head_sql() -> tuple[str, str, str, str]:
    quote = connection.ops.quote_name
    meta = AuditHead._meta
    return (
        quote(meta.db_table),
        quote(meta.pk.column),
        quote(meta.get_field("last_hash").column),
        quote(meta.get_field("last_id").column),
    )


def _locked_head_hash() -> str:
    """The head's hash, its row locked until the transaction ends (created when missing)."""
    table, pk, last_hash, _ = _head_sql()
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {last_hash} FROM {table} WHERE {pk} = %s{lock}", [HEAD_ID])
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    AuditHead.objects.get_or_create(pk=HEAD_ID, defaults={"last_hash": GENESIS_HASH})
    return AuditHead.objects.select_for_update().get(pk=HEAD_ID).last_hash


def _move_head(entry_hash: str, entry_id: int) -> None:
    table, pk, last_hash, last_id = _head_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {last_hash} = %s, {last_id} = %s WHERE {pk} = %s",
            [entry_hash, entry_id, HEAD_ID],
        )


@dataclass(frozen=True)
class ChainReport:
    entries: int
    intact: bool
    first_broken: int | None
    reason: str = ""


def verify_chain(*, anchors: bool = True) -> ChainReport:
    """Re-compute every keyed hash in id order; report the first entry whose link is broken.

    With ``anchors`` the signed anchors written outside the database (archive/audit_anchor.py)
    are checked too: each names an entry and its hash, so a truncated or re-hashed log no
    longer matches them."""
    prev = GENESIS_HASH
    count = 0
    seen: dict[int, str] = {}
    try:
        wanted = _anchor_points() if anchors else {}
    except Exception as exc:  # noqa: BLE001 - a bad anchor is itself a finding
        return ChainReport(AuditEntry.objects.count(), False, None, str(exc))
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if entry.prev_hash != prev:
            return _broken(entry.pk, "前一条哈希不符（有条目被删除或插入）")
        try:
            expected = entry.compute_hash()
        except AuditKeyError as exc:
            return _broken(entry.pk, f"{exc}（无法校验）")
        if expected != entry.entry_hash:
            return _broken(entry.pk, "内容与哈希不符（条目被篡改或以其他密钥重算）")
        if entry.pk in wanted:
            seen[entry.pk] = entry.entry_hash
        prev = entry.entry_hash
    for entry_id, anchored in sorted(wanted.items()):
        if seen.get(entry_id) != anchored:
            reason = (
                "已签名锚定的条目缺失（日志被截断）"
                if entry_id not in seen
                else "与已签名锚定的哈希不符（日志被重算）"
            )
            return ChainReport(count, False, entry_id, reason)
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


def _anchor_points() -> dict[int, str]:
    from archive.audit_anchor import anchored_points

    return anchored_points()


def changes_of(before: dict, after: dict) -> dict:
    """``{field: [before, after]}`` for the fields whose value differs."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}
