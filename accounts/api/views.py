"""/api/v1/accounts/…: lockouts (list, unlock), account requests (list, decide), who is due to
sign the commitment. Same permissions and log entries as the staff pages; errors are the API's
``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import approval, commitment, lockout
from accounts.models import AccountRequest
from accounts.views.admin import APPROVE, MANAGE, UNLOCK, visible_users
from archive import audit
from archive.views.access import record_denied


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        record_denied(request, None, "", reason="permission", permission=permission)
        raise exceptions.PermissionDenied("没有该操作的权限")


# Free-form JSON objects (documented in docs/contracts.md), not a serializer.
@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
class LockoutsView(APIView):
    def get(self, request):
        _require(request, UNLOCK)
        rows = [
            {
                "username": a.username,
                "ip_address": a.ip_address,
                "failures": a.failures_since_start,
                "last_attempt": a.attempt_time,
            }
            for a in lockout.locked_attempts()[:200]
        ]
        audit.record(audit.Action.API, request=request, detail={"endpoint": "accounts/lockouts"})
        return Response({"results": rows})

    def post(self, request):
        _require(request, UNLOCK)
        username = str(request.data.get("username", "")).strip()
        ip_address = str(request.data.get("ip_address", "")).strip()
        if not username and not ip_address:
            raise exceptions.ValidationError({"username": ["请指定要解锁的账号或地址。"]})
        cleared = lockout.unlock(request=request, username=username, ip_address=ip_address)
        return Response({"unlocked": username or ip_address, "attempts_cleared": cleared})


def _request_json(row: AccountRequest) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "status": row.status,
        "user": row.user.username,
        "proposed": row.proposed,
        "previous": row.previous,
        "requested_by": row.requested_by.username,
        "requested_at": row.requested_at,
        "decided_by": row.decided_by.username if row.decided_by_id else None,
        "decided_at": row.decided_at,
    }


def _requests_for(user):
    rows = AccountRequest.objects.select_related("user", "requested_by", "decided_by")
    ids = user.visible_agency_ids
    return rows if ids is None else rows.filter(user__agency_id__in=ids)


# Free-form JSON objects (documented in docs/contracts.md), not a serializer.
@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
class AccountRequestsView(APIView):
    def get(self, request):
        _require(request, APPROVE)
        rows = _requests_for(request.user)
        status = request.query_params.get("status")
        if status:
            rows = rows.filter(status=status)
        audit.record(audit.Action.API, request=request, detail={"endpoint": "accounts/requests"})
        return Response({"results": [_request_json(r) for r in rows[:200]]})


# Free-form JSON objects (documented in docs/contracts.md), not a serializer.
@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
class AccountRequestDecideView(APIView):
    def post(self, request, pk: int):
        _require(request, APPROVE)
        row = _requests_for(request.user).filter(pk=pk).first()
        if row is None:
            record_denied(request, AccountRequest, pk, reason="out_of_scope_or_missing")
            raise exceptions.NotFound("申请不存在或不在本机构辖区内")
        decision = request.data.get("decision")
        if decision not in ("approve", "refuse"):
            raise exceptions.ValidationError({"decision": ["须为 approve 或 refuse。"]})
        try:
            row = approval.decide(
                row,
                request=request,
                approve=decision == "approve",
                note=str(request.data.get("note", "")),
            )
        except approval.ApprovalError as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(_request_json(row))


# Free-form JSON objects (documented in docs/contracts.md), not a serializer.
@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
class CommitmentsDueView(APIView):
    def get(self, request):
        _require(request, MANAGE)
        due = commitment.due_users(visible_users(request.user))
        audit.record(audit.Action.API, request=request, detail={"endpoint": "accounts/commitments"})
        return Response(
            {
                "current_since": commitment.current_since(),
                "results": [
                    {
                        "username": u.username,
                        "real_name": u.real_name,
                        "agency": u.agency.region_code if u.agency_id else "",
                        "last_signed": u.last_signed,
                    }
                    for u in due[:500]
                ],
            }
        )
