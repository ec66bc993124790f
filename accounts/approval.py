"""审批备案: a new account or a change of roles/agency waits for ANOTHER security administrator.

The user admin saves the form, then :func:`hold_new_user` / :func:`hold_change` put the granted
part (groups, agency, superuser flag) into an :class:`AccountRequest` and take it back from the
user until :func:`decide` approves it. Request, approval or refusal, and the change itself are
each an entry in the operation log.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import AccountRequest
from archive import audit
from archive.models import Agency

# 三员分立: nobody holds two of these.
SEPARATED_ROLES = ("系统管理员", "安全管理员", "审计管理员")


class ApprovalError(Exception):
    """Refused (Chinese message); nothing was changed."""


def separated_conflict(group_names) -> str:
    held = [name for name in SEPARATED_ROLES if name in set(group_names)]
    if len(held) > 1:
        return f"三员分立：{'、'.join(held)}不能由同一账号兼任。"
    return ""


def snapshot(user) -> dict:
    return {
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "agency": user.agency.region_code if user.agency_id else "",
        "is_superuser": bool(user.is_superuser),
    }


def _record_request(row: AccountRequest, request) -> None:
    audit.record(
        audit.Action.REQUEST,
        row,
        request=request,
        object_type="accounts.AccountRequest",
        object_repr=str(row)[:200],
        detail={"kind": row.kind, "user": row.user.username, "proposed": row.proposed},
    )


@transaction.atomic
def hold_new_user(user, *, request, reason: str = "") -> AccountRequest:
    """A just-created user stays inactive, without roles, until approved."""
    proposed = snapshot(user)
    row = AccountRequest.objects.create(
        kind=AccountRequest.Kind.CREATE,
        user=user,
        proposed=proposed,
        previous={},
        reason=reason,
        requested_by=request.user,
    )
    user.groups.clear()
    user.is_active = False
    user.is_superuser = False
    user.save(update_fields=["is_active", "is_superuser"])
    _record_request(row, request)
    return row


@transaction.atomic
def hold_change(user, previous: dict, *, request, reason: str = "") -> AccountRequest | None:
    """After an edit: if roles/agency/superuser changed, put them back and file a request."""
    proposed = snapshot(user)
    if proposed == previous:
        return None
    row = AccountRequest.objects.create(
        kind=AccountRequest.Kind.CHANGE,
        user=user,
        proposed=proposed,
        previous=previous,
        reason=reason,
        requested_by=request.user,
    )
    _apply(user, previous)
    _record_request(row, request)
    return row


def _apply(user, state: dict) -> None:
    agency = Agency.objects.filter(region_code=state.get("agency") or "").first()
    user.agency = agency
    user.is_superuser = bool(state.get("is_superuser"))
    user.save(update_fields=["agency", "is_superuser"])
    user.groups.set(Group.objects.filter(name__in=state.get("groups", [])))


@transaction.atomic
def decide(row: AccountRequest, *, request, approve: bool, note: str = "") -> AccountRequest:
    approver = request.user
    row = AccountRequest.objects.select_for_update().get(pk=row.pk)
    if row.status != AccountRequest.Status.PENDING:
        raise ApprovalError("该申请已处理。")
    if row.requested_by_id == approver.pk:
        raise ApprovalError("审批备案：申请须由另一名安全管理员审批，不能审批自己提交的申请。")
    if row.user_id == approver.pk:
        raise ApprovalError("审批备案：不能审批涉及本人账号的申请。")
    if not approver.has_perm("accounts.approve_accounts"):
        raise ApprovalError("没有审批账号申请的权限。")
    if approve:
        conflict = separated_conflict(row.proposed.get("groups", []))
        if conflict:
            raise ApprovalError(conflict)
        user = row.user
        _apply(user, row.proposed)
        if row.kind == AccountRequest.Kind.CREATE:
            user.is_active = True
            user.save(update_fields=["is_active"])
    row.status = AccountRequest.Status.APPROVED if approve else AccountRequest.Status.REFUSED
    row.decided_by = approver
    row.decided_at = timezone.now()
    row.decision_note = note[:200]
    row.save()
    audit.record(
        audit.Action.APPROVE if approve else audit.Action.REFUSE,
        row,
        request=request,
        object_type="accounts.AccountRequest",
        object_repr=str(row)[:200],
        detail={"kind": row.kind, "user": row.user.username, "note": row.decision_note},
    )
    return row
