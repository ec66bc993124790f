"""The retention API: the same as the staff pages (due list and chart, holds, appraisals,
destruction batches and their steps). Errors are the project's JSON error object, 4xx."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from archive import audit
from archive.api.base import ApiViewMixin, Conflict
from archive.api.errors import NOT_FOUND_MESSAGE, OutOfJurisdiction
from archive.api.permissions import require
from archive.masking import shown_id_number
from archive.models import Household, Item
from archive.storage import open_blob
from retention import destruction, holds, queries
from retention.appraisal import AppraisalError, Choice, appraise, pending_entries
from retention.models import DestructionBatch, DueEntry, Hold


def _bad(message: str, field: str | None = None, code: str = "invalid"):
    return exceptions.ValidationError(
        {field: [exceptions.ErrorDetail(message, code)]}
        if field
        else [exceptions.ErrorDetail(message, code)]
    )


def _day(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _bad("日期格式错误，应为 YYYY-MM-DD", field, "date") from None


def _visible(request, model, pk):
    """The object in the caller's jurisdiction; else 404 (and a denied entry when it exists)."""
    obj = model.objects.visible_to(request.user).filter(pk=pk).first()
    if obj is None:
        other = model.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        if other is not None:
            raise OutOfJurisdiction(other, str(pk))
        raise exceptions.NotFound(NOT_FOUND_MESSAGE, code="not_found")
    return obj


def _items(request, numbers, field="archive_numbers") -> list[Item]:
    if not isinstance(numbers, list) or not numbers or not all(isinstance(n, str) for n in numbers):
        raise _bad("请给出档号列表", field, "required")
    found = {
        i.archive_number: i
        for i in Item.objects.visible_to(request.user).filter(archive_number__in=numbers)
    }
    missing = [n for n in numbers if n not in found]
    if missing:
        raise _bad("档号不存在或不在本机构辖区内：" + "、".join(missing), field, "not_found")
    return [found[n] for n in numbers]


class RetentionApiView(ApiViewMixin, APIView):
    permission_classes = [IsAuthenticated]


class DueView(RetentionApiView):
    """GET /api/v1/retention/due — the pending appraisal list and the per-year chart."""

    permission_classes = [require("retention.view_dueentry")]
    model = DueEntry

    @extend_schema(
        operation_id="retention_due_list", summary="到期待鉴定清单与按年到期件数", responses=dict
    )
    def get(self, request):
        user = request.user
        rows = []
        for entries in queries.pending_by_household(user).values():
            for e in entries:
                h = e.item.household
                rows.append(
                    {
                        "archive_number": e.item.archive_number,
                        "title": e.item.title,
                        "household": shown_id_number(user, h.head_id_number) if h else None,
                        "due_on": e.due_on.isoformat(),
                        "state": e.state,
                    }
                )
        audit.record(
            audit.Action.VIEW,
            request=request,
            object_type="retention.DueEntry",
            object_repr="到期鉴定清单（接口）",
        )
        per_year = [{"year": y, "items": n} for y, n in queries.due_per_year(user)]
        kept = [
            {
                "archive_number": d.item.archive_number,
                "due_on": d.due_on.isoformat(),
                "extra_years": d.extra_years,
                "new_due_on": d.new_due_on.isoformat() if d.new_due_on else None,
                "appraisers": d.appraisal.appraisers,
            }
            for d in queries.kept_decisions(user)
        ]
        return Response({"due": rows, "per_year": per_year, "kept": kept})


def _hold_json(user, hold: Hold) -> dict:
    return {
        "id": hold.pk,
        "archive_number": hold.item.archive_number if hold.item_id else None,
        "household": shown_id_number(user, hold.household.head_id_number)
        if hold.household_id
        else None,
        "case": hold.case_id,
        "reason": hold.reason,
        "until": hold.until.isoformat() if hold.until else None,
        "placed_by": str(hold.placed_by) if hold.placed_by_id else None,
        "placed_at": hold.placed_at.isoformat(),
        "lifted_at": hold.lifted_at.isoformat() if hold.lifted_at else None,
    }


class HoldsView(RetentionApiView):
    """GET/POST /api/v1/retention/holds — active manual holds; place holds by 档号."""

    permission_classes = [require("retention.view_hold")]
    model = Hold

    @extend_schema(operation_id="retention_holds_list", summary="人工冻结列表", responses=dict)
    def get(self, request):
        return Response(
            {"holds": [_hold_json(request.user, h) for h in queries.active_holds(request.user)]}
        )

    @extend_schema(
        operation_id="retention_holds_create",
        summary="冻结（暂缓销毁）",
        request=dict,
        responses=dict,
    )
    @transaction.atomic
    def post(self, request):
        if not request.user.has_perm("retention.place_hold"):
            raise exceptions.PermissionDenied("没有冻结权限")
        items = _items(request, request.data.get("archive_numbers"))
        try:
            placed = holds.place(
                items,
                reason=request.data.get("reason", ""),
                user=request.user,
                until=_day(request.data.get("until"), "until"),
                request=request,
            )
        except holds.HoldError as exc:
            raise _bad(str(exc), "reason") from exc
        return Response(
            {
                "held": [i.archive_number for i in items],
                "holds": [_hold_json(request.user, h) for h in placed],
            },
            status=status.HTTP_201_CREATED,
        )


class LiftView(RetentionApiView):
    """POST /api/v1/retention/holds/{id}/lift — lift a manual hold (logged with the reason)."""

    permission_classes = [require("retention.place_hold")]
    model = Hold

    @extend_schema(
        operation_id="retention_hold_lift", summary="解除冻结", request=dict, responses=dict
    )
    def post(self, request, pk: int):
        hold = _visible(request, Hold, pk)
        reason = str(request.data.get("reason", "")).strip()
        if not reason:
            raise _bad("请填写解除冻结的原因", "reason", "required")
        if hold.lifted_at is not None:
            raise Conflict("该冻结已解除")
        holds.lift([hold], user=request.user, reason=reason, request=request)
        return Response(_hold_json(request.user, hold))


class AppraisalsView(RetentionApiView):
    """POST /api/v1/retention/appraisals — appraise a household's due items together."""

    permission_classes = [require("retention.appraise_item")]
    model = DueEntry

    @extend_schema(
        operation_id="retention_appraisal_create",
        summary="鉴定一户的到期档案",
        request=dict,
        responses=dict,
    )
    def post(self, request):
        head = str(request.data.get("household", ""))
        household = Household.objects.filter(head_id_number=head).first()
        if household is None:
            raise _bad("户不存在", "household", "not_found")
        household = _visible(request, Household, household.pk)
        decisions = request.data.get("decisions")
        if not isinstance(decisions, list):
            raise _bad("请给出每件的鉴定结论", "decisions", "required")
        by_number = {e.item.archive_number: e.item for e in pending_entries(household)}
        choices = []
        for d in decisions:
            item = by_number.get(str((d or {}).get("archive_number")))
            if item is None:
                raise _bad(
                    f"不在该户待鉴定清单中：{(d or {}).get('archive_number')}",
                    "decisions",
                    "not_found",
                )
            years = d.get("extra_years")
            if years is not None and not isinstance(years, int):
                raise _bad("延长年限须为整数", "decisions", "invalid")
            choices.append(Choice(item, str(d.get("decision", "")), years))
        try:
            appraisal = appraise(
                household,
                choices,
                appraisers=request.data.get("appraisers", ""),
                reason=request.data.get("reason", ""),
                user=request.user,
                request=request,
            )
        except AppraisalError as exc:
            raise _bad(str(exc), "decisions") from exc
        return Response(
            {
                "id": appraisal.pk,
                "decisions": [
                    {
                        "archive_number": d.item.archive_number,
                        "decision": d.decision,
                        "due_on": d.due_on.isoformat(),
                        "new_due_on": d.new_due_on.isoformat() if d.new_due_on else None,
                    }
                    for d in appraisal.decisions.select_related("item")
                ],
            },
            status=status.HTTP_201_CREATED,
        )


def batch_json(batch: DestructionBatch) -> dict:
    return {
        "id": batch.pk,
        "title": batch.title,
        "status": batch.status,
        "reason": batch.reason,
        "agency": batch.agency.region_code,
        "proposed_by": str(batch.proposed_by),
        "approved_by": str(batch.approved_by) if batch.approved_by_id else None,
        "supervisors": [str(s.user) for s in batch.supervisions.select_related("user")],
        "executed_at": batch.executed_at.isoformat() if batch.executed_at else None,
        "paper": {
            "method": batch.paper_method,
            "place": batch.paper_place,
            "time": batch.paper_destroyed_at.isoformat() if batch.paper_destroyed_at else None,
        },
        "register_sha256": batch.register_sha256 or None,
        "report_sha256": batch.report_sha256 or None,
        "problems": destruction.readiness(batch) if batch.status in destruction.OPEN_STATES else [],
        "items": [
            {
                "archive_number": line.archive_number,
                "title": line.title,
                "year": line.year,
                "retention": line.retention,
                "due_on": line.due_on.isoformat(),
                "pages": line.pages,
                "carrier": line.carrier,
                "opinion": line.opinion,
            }
            for line in batch.lines.all()
        ],
    }


class BatchesView(RetentionApiView):
    """GET/POST /api/v1/retention/batches — list batches; propose one by 档号."""

    permission_classes = [require("retention.view_destructionbatch")]
    model = DestructionBatch

    @extend_schema(operation_id="retention_batches_list", summary="销毁批次列表", responses=dict)
    def get(self, request):
        batches = DestructionBatch.objects.visible_to(request.user).select_related(
            "agency", "proposed_by", "approved_by"
        )
        return Response({"batches": [batch_json(b) for b in batches]})

    @extend_schema(
        operation_id="retention_batch_propose", summary="提出销毁批次", request=dict, responses=dict
    )
    def post(self, request):
        if not request.user.has_perm("retention.propose_destruction"):
            raise exceptions.PermissionDenied("没有提出销毁的权限")
        items = _items(request, request.data.get("archive_numbers"))
        try:
            batch = destruction.propose(
                items,
                title=request.data.get("title", ""),
                reason=request.data.get("reason", ""),
                place=str(request.data.get("place", "")),
                user=request.user,
                request=request,
            )
        except destruction.DestructionError as exc:
            raise _bad(str(exc), "archive_numbers", exc.code) from exc
        return Response(batch_json(batch), status=status.HTTP_201_CREATED)


class BatchView(RetentionApiView):
    """GET /api/v1/retention/batches/{id}"""

    permission_classes = [require("retention.view_destructionbatch")]
    model = DestructionBatch

    @extend_schema(
        operation_id="retention_batch_detail", summary="销毁批次详情（销毁清册）", responses=dict
    )
    def get(self, request, pk: int):
        batch = _visible(request, DestructionBatch, pk)
        audit.record(audit.Action.VIEW, batch, request=request)
        return Response(batch_json(batch))


class BatchStepView(RetentionApiView):
    """POST /api/v1/retention/batches/{id}/{approve|supervise|execute|cancel|paper}"""

    permission_classes = [require("retention.view_destructionbatch")]
    model = DestructionBatch

    @extend_schema(
        operation_id="retention_batch_step",
        summary="销毁批次的审批、监销、执行、撤销与纸质销毁登记",
        request=dict,
        responses=dict,
    )
    def post(self, request, pk: int, step: str):
        batch = _visible(request, DestructionBatch, pk)
        data, user = request.data, request.user
        try:
            if step == "approve":
                destruction.approve(batch, user=user, request=request)
            elif step == "supervise":
                destruction.supervise(
                    batch, user=user, note=str(data.get("note", "")), request=request
                )
            elif step == "execute":
                destruction.execute(
                    batch,
                    user=user,
                    paper_method=str(data.get("paper_method", "")),
                    paper_place=str(data.get("paper_place", "")),
                    request=request,
                )
            elif step == "cancel":
                destruction.cancel(
                    batch, user=user, reason=str(data.get("reason", "")), request=request
                )
            elif step == "paper":
                when = data.get("time")
                try:
                    when = dt.datetime.fromisoformat(str(when)) if when else None
                except ValueError:
                    raise _bad("时间格式错误", "time", "date") from None
                destruction.record_paper(
                    batch,
                    method=str(data.get("method", "")),
                    place=str(data.get("place", "")),
                    when=when,
                    user=user,
                    request=request,
                )
            else:
                raise exceptions.NotFound(NOT_FOUND_MESSAGE, code="not_found")
        except destruction.DestructionError as exc:
            if exc.code in ("permission", "self"):
                raise exceptions.PermissionDenied(str(exc)) from exc
            if exc.code in ("required",):
                raise _bad(str(exc), None, exc.code) from exc
            raise Conflict(str(exc), code=exc.code) from exc
        batch.refresh_from_db()
        return Response(batch_json(batch))


class BatchPdfView(RetentionApiView):
    """GET /api/v1/retention/batches/{id}/register.pdf | report.pdf — the signed PDFs."""

    permission_classes = [require("retention.view_destructionbatch")]
    model = DestructionBatch

    @extend_schema(
        operation_id="retention_batch_pdf",
        summary="签章的销毁清册或销毁报告 PDF",
        responses={(200, "application/pdf"): bytes},
    )
    def get(self, request, pk: int, kind: str):
        batch = _visible(request, DestructionBatch, pk)
        sha = {"register": batch.register_sha256, "report": batch.report_sha256}.get(kind)
        if not sha:
            raise exceptions.NotFound("该批次尚无此文件", code="not_found")
        audit.record(
            audit.Action.DOWNLOAD, batch, request=request, detail={"kind": kind, "sha256": sha}
        )
        return FileResponse(
            open_blob(sha), content_type="application/pdf", filename=f"{kind}-{batch.pk}.pdf"
        )
