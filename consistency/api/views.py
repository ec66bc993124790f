"""The API of the consistency app: discrepancies (list, one, resolve), fixity status.

Same rules as the staff pages: ``visible_to`` (outside the jurisdiction: 404, logged as
denied), ID masking, an operation-log entry, errors as ``{"error": {"code","message","field"}}``.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from archive import audit
from archive.api.errors import OutOfJurisdiction
from archive.api.permissions import require
from archive.masking import shown_id_number
from consistency.fixity import open_alarms
from consistency.models import Discrepancy, FixityRun
from consistency.resolve import DECISIONS, ResolutionError, resolve


def _row(user, d: Discrepancy) -> dict:
    def shown(v: str) -> str:
        return shown_id_number(user, v) if d.field == "id_number" else v

    item = d.item
    return {
        "id": d.pk,
        "household": shown_id_number(user, item.household.head_id_number)
        if item.household_id
        else None,
        "archive_number": item.archive_number,
        "paper_archive_number": d.paper_item.archive_number if d.paper_item_id else None,
        "kind": d.kind,
        "field": d.field,
        "context": d.context,
        "paper": shown(d.paper),
        "electronic": shown(d.electronic),
        "page": d.page,
        "confidence": d.confidence,
        "status": d.status,
        "decision": d.decision,
        "decided_at": d.decided_at.isoformat() if d.decided_at else None,
    }


def _get(request, pk) -> Discrepancy:
    d = Discrepancy.objects.filter(pk=pk).select_related("item__household", "paper_item").first()
    if d is None:
        raise exceptions.NotFound()
    if not Discrepancy.objects.visible_to(request.user).filter(pk=d.pk).exists():
        raise OutOfJurisdiction(d, str(pk))
    return d


# Free-form JSON objects (documented in docs/contracts.md), not a serializer.
@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
class DiscrepancyList(APIView):
    permission_classes = [IsAuthenticated, require("consistency.view_discrepancy")]
    model = Discrepancy

    def get(self, request):
        status = request.query_params.get("status", "open")
        if status not in (*Discrepancy.Status.values, "all"):
            raise serializers.ValidationError(
                {"status": ["状态只能是 " + "、".join([*Discrepancy.Status.values, "all"])]}
            )
        rows = Discrepancy.objects.visible_to(request.user).select_related(
            "item__household", "paper_item"
        )
        if status != "all":
            rows = rows.filter(status=status)
        data = [_row(request.user, d) for d in rows.order_by("-first_seen")[:500]]
        audit.record(
            audit.Action.VIEW,
            request=request,
            object_type="consistency.Discrepancy",
            object_repr="纸电不一致列表（接口）",
            detail={"status": status, "count": len(data)},
        )
        return Response({"discrepancies": data, "fixity_alarms": open_alarms().count()})


# Free-form JSON objects (documented in docs/contracts.md), not a serializer.
@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
class DiscrepancyDetail(APIView):
    permission_classes = [IsAuthenticated, require("consistency.view_discrepancy")]
    model = Discrepancy

    @extend_schema(operation_id="consistency_discrepancy_detail")
    def get(self, request, pk: int):
        d = _get(request, pk)
        audit.record(audit.Action.VIEW, d, request=request)
        return Response(_row(request.user, d))


# Free-form JSON objects (documented in docs/contracts.md), not a serializer.
@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
class DiscrepancyResolve(APIView):
    permission_classes = [IsAuthenticated, require("consistency.resolve_discrepancy")]
    model = Discrepancy

    def post(self, request, pk: int):
        d = _get(request, pk)
        decision = request.data.get("decision", "")
        if decision not in DECISIONS:
            raise serializers.ValidationError(
                {"decision": ["处理结论必须是 electronic_wrong、paper_wrong 或 dismiss"]}
            )
        try:
            d = resolve(d, decision, request.data.get("note", ""), request.user, request)
        except ResolutionError as exc:
            if exc.field:
                raise serializers.ValidationError({exc.field: [exc.message]}) from exc
            raise exceptions.ValidationError({"status": [exc.message]}) from exc
        return Response(_row(request.user, d))


# Free-form JSON objects (documented in docs/contracts.md), not a serializer.
@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
class FixityStatus(APIView):
    permission_classes = [IsAuthenticated, require("consistency.view_fixityrun")]
    model = FixityRun

    def get(self, request):
        run = FixityRun.objects.first()
        audit.record(
            audit.Action.VIEW,
            request=request,
            object_type="consistency.FixityRun",
            object_repr="存储校验（接口）",
        )
        return Response(
            {
                "run": None
                if run is None
                else {
                    "status": run.status,
                    "total": run.total,
                    "checked": run.checked,
                    "failed": run.failed,
                    "started_at": run.started_at.isoformat(),
                },
                "alarms": [
                    {
                        "sha256": a.sha256,
                        "actual": a.actual,
                        "error": a.error,
                        "found_at": a.found_at.isoformat(),
                    }
                    for a in open_alarms()[:200]
                ],
            }
        )
