"""/api/v1/loans: request, approve, refuse, issue, counted return, incidents, list, register.

Session sign-in with CSRF (archive.api.authentication). The rules are loans.services'; a
refusal there (already logged, nothing changed) becomes the JSON error with its status.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from urllib.parse import quote

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from archive import audit
from archive.api.base import ApiViewMixin
from archive.api.errors import NOT_FOUND_MESSAGE, OutOfJurisdiction
from archive.api.permissions import require
from archive.models import User
from loans import register, services
from loans.api.serializers import (
    LoanRequestSerializer,
    LoanSerializer,
    RefuseSerializer,
    ResolveSerializer,
    ReturnSerializer,
)
from loans.models import Incident, Loan
from loans.queries import loans_for
from loans.services import LoanRefused

TAGS = ["loans"]


class RefusedError(exceptions.APIException):
    """A refusal from loans.services with its own status and code."""

    def __init__(self, refusal: LoanRefused) -> None:
        self.status_code = refusal.status
        super().__init__(ErrorDetail(refusal.message, refusal.code))


def api_error(refusal: LoanRefused) -> exceptions.APIException:
    if refusal.status == 400 and refusal.field:
        return exceptions.ValidationError(
            {refusal.field: [ErrorDetail(refusal.message, refusal.code)]}
        )
    return RefusedError(refusal)


def sniff_letter(data: bytes) -> str:
    """The letter's type from its bytes, never from what the client says."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return "application/octet-stream"


class LoanApiMixin(ApiViewMixin):
    permission_classes = [IsAuthenticated]
    serializer_class = LoanSerializer

    def loan(self, pk) -> Loan:
        loan = Loan.objects.visible_to(self.request.user).filter(pk=pk).first()
        if loan is None:
            hidden = Loan.objects.filter(pk=pk).first()
            if hidden is not None:
                raise OutOfJurisdiction(hidden, lookup=str(pk))
            raise exceptions.NotFound(NOT_FOUND_MESSAGE, code="not_found")
        return loan

    def answer(self, loan: Loan, code: int = status.HTTP_200_OK) -> Response:
        loan = Loan.objects.select_related("agency").get(pk=loan.pk)
        return Response(LoanSerializer(loan, context={"request": self.request}).data, status=code)

    def run(self, step, *args, **kwargs):
        try:
            return step(*args, request=self.request, **kwargs)
        except LoanRefused as refusal:
            raise api_error(refusal) from None


def _body(request) -> tuple[dict, bytes, str]:
    """The request's JSON (or multipart ``data`` + ``letter`` file) and the letter's bytes."""
    if request.content_type.startswith("multipart/"):
        try:
            data = json.loads(request.data.get("data") or "{}")
        except ValueError:
            raise LoanRefused("data 须为 JSON", "invalid_json", "data") from None
        upload = request.FILES.get("letter")
        letter = upload.read() if upload else b""
        return data, letter, upload.name if upload else ""
    data = request.data if isinstance(request.data, dict) else {}
    letter = data.get("letter") or {}
    if not isinstance(letter, dict):
        raise LoanRefused("letter 须为 {name, content_base64}", "invalid", "letter")
    try:
        content = base64.b64decode(letter.get("content_base64") or "", validate=True)
    except (binascii.Error, ValueError):
        raise LoanRefused("介绍信的 base64 内容无效", "invalid_base64", "letter") from None
    return data, content, str(letter.get("name") or "")


def _time(value, field: str) -> dt.time | None:
    if not value:
        return None
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise LoanRefused(f"{field} 须为 HH:MM 格式的时间", "invalid_time", field) from None


def request_from(request) -> Loan:
    data, letter, letter_name = _body(request)
    who = data.get("borrower")
    if not isinstance(who, dict):
        raise LoanRefused("请填写借阅人（user，或 name、id_number、unit）", "required", "borrower")
    borrower = services.Borrower()
    if who.get("user"):
        borrower.user = User.objects.filter(username=str(who["user"])).first()
        if borrower.user is None:
            raise LoanRefused(f"用户 {who['user']} 不存在", "unknown_user", "borrower.user")
    else:
        borrower.name = str(who.get("name") or "")
        borrower.id_number = str(who.get("id_number") or "")
        borrower.unit = str(who.get("unit") or "")
        borrower.letter_bytes, borrower.letter_name = letter, letter_name
        borrower.letter_media_type = sniff_letter(letter)
    try:
        date = dt.date.fromisoformat(str(data.get("date") or ""))
    except ValueError:
        raise LoanRefused("date 须为 YYYY-MM-DD 格式的日期", "invalid_date", "date") from None
    items = data.get("items")
    if not isinstance(items, list):
        raise LoanRefused("items 须为档号列表", "required", "items")
    return services.request_loan(
        request.user,
        borrower=borrower,
        purpose=str(data.get("purpose") or ""),
        kind=str(data.get("kind") or ""),
        items=items,
        date=date,
        start_time=_time(data.get("start_time"), "start_time"),
        end_time=_time(data.get("end_time"), "end_time"),
    )


def _logged_parse(request, parse):
    """Input that cannot even reach a step is a refusal too: logged, then answered."""
    try:
        return parse(request)
    except LoanRefused as refusal:
        if refusal.logged:
            raise api_error(refusal) from None
        audit.record(
            audit.Action.REJECT,
            request=request,
            object_type="loans.Loan",
            detail={"step": "request", "code": refusal.code, "message": refusal.message},
        )
        raise api_error(refusal) from None


LIST_PARAMS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="借阅日期起（含），默认 30 天前"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="借阅日期止（含），默认今天"),
    OpenApiParameter("status", str, description="状态；overdue 为逾期未还"),
    OpenApiParameter("agency", str, description="核对机构区划代码（含下级），限本辖区"),
]


class LoanListCreateView(LoanApiMixin, GenericAPIView):
    parser_classes = [JSONParser, MultiPartParser]

    def get_permissions(self):
        if self.request.method == "GET":
            return [IsAuthenticated(), require("loans.view_loan")()]
        return [IsAuthenticated()]

    @extend_schema(
        summary="辖区内的借阅单",
        parameters=LIST_PARAMS,
        operation_id="loans_list",
        responses={200: LoanSerializer(many=True)},
        tags=TAGS,
    )
    def get(self, request):
        try:
            loans, _, _ = loans_for(request.user, request.query_params)
        except LoanRefused as refusal:
            raise api_error(refusal) from None
        loans = loans.select_related("agency", "requested_by", "decided_by").prefetch_related(
            "lines__item", "incidents__line__item"
        )
        page = self.paginate_queryset(loans)
        data = LoanSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="申请借阅",
        request=LoanRequestSerializer,
        responses={201: LoanSerializer},
        tags=TAGS,
    )
    def post(self, request):
        loan = _logged_parse(request, request_from)
        return self.answer(loan, status.HTTP_201_CREATED)


class LoanDetailView(LoanApiMixin, GenericAPIView):
    permission_classes = [IsAuthenticated, require("loans.view_loan")]

    @extend_schema(summary="一张借阅单", tags=TAGS)
    def get(self, request, pk: int):
        loan = self.loan(pk)
        audit.record(audit.Action.VIEW, loan, request=request, detail={"path": request.path})
        return self.answer(loan)


class ApproveView(LoanApiMixin, GenericAPIView):
    @extend_schema(summary="批准（不能批准自己的申请）", request=None, tags=TAGS)
    def post(self, request, pk: int):
        return self.answer(self.run(services.approve, self.loan(pk), request.user))


class RefuseView(LoanApiMixin, GenericAPIView):
    @extend_schema(summary="驳回", request=RefuseSerializer, tags=TAGS)
    def post(self, request, pk: int):
        reason = str(request.data.get("reason") or "") if isinstance(request.data, dict) else ""
        return self.answer(self.run(services.refuse, self.loan(pk), request.user, reason))


class IssueView(LoanApiMixin, GenericAPIView):
    @extend_schema(summary="发放（阅览室内），记录每件页数", request=None, tags=TAGS)
    def post(self, request, pk: int):
        return self.answer(self.run(services.issue, self.loan(pk), request.user))


class ReturnView(LoanApiMixin, GenericAPIView):
    @extend_schema(summary="归还：逐件当面点清页数和状况", request=ReturnSerializer, tags=TAGS)
    def post(self, request, pk: int):
        entries = request.data.get("items", []) if isinstance(request.data, dict) else None
        return self.answer(self.run(services.return_items, self.loan(pk), request.user, entries))


class ResolveView(LoanApiMixin, GenericAPIView):
    @extend_schema(
        summary="处理归还异常；全部处理后借阅单结清", request=ResolveSerializer, tags=TAGS
    )
    def post(self, request, pk: int, incident_id: int):
        loan = self.loan(pk)
        incident = Incident.objects.filter(loan=loan, pk=incident_id).first()
        if incident is None:
            raise exceptions.NotFound(NOT_FOUND_MESSAGE, code="not_found")
        note = str(request.data.get("note") or "") if isinstance(request.data, dict) else ""
        self.run(services.resolve, incident, request.user, note)
        return self.answer(loan)


class RegisterView(LoanApiMixin, GenericAPIView):
    permission_classes = [IsAuthenticated, require("loans.export_loan_register")]

    @extend_schema(
        summary="借阅登记簿（JSON、XLSX 或 PDF，导出记入操作日志）",
        parameters=[
            *LIST_PARAMS[:2],
            LIST_PARAMS[3],
            OpenApiParameter("format", str, enum=["json", "xlsx", "pdf"], description="默认 json"),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(OpenApiTypes.BINARY),
        },
        tags=TAGS,
    )
    def get(self, request):
        fmt = request.query_params.get("format") or "json"
        try:
            if fmt not in ("json", "xlsx", "pdf"):
                raise LoanRefused("format 须为 json、xlsx 或 pdf", "invalid_choice", "format")
            params = {k: v for k, v in request.query_params.items() if k != "status"}
            loans, span, agency = loans_for(request.user, params)
        except LoanRefused as refusal:
            raise api_error(refusal) from None
        return register_response(request, loans, span, agency, fmt)


def register_response(request, loans, span, agency, fmt: str):
    """The register in ``fmt`` for these loans, with its export logged (API and desk)."""
    scope = agency.name if agency else (request.user.agency.name if request.user.agency else "全省")
    title = register.title_for(span.start, span.end, scope)
    rows = register.rows(loans)
    audit.record(
        audit.Action.EXPORT,
        request=request,
        object_type="loans.Register",
        object_repr=title,
        detail={"format": fmt, "rows": len(rows), "from": str(span.start), "to": str(span.end)},
    )
    if fmt == "json":
        return Response({"title": title, "from": span.start, "to": span.end, "rows": rows})
    name = f"借阅登记簿-{span.start}-{span.end}.{fmt}"
    if fmt == "xlsx":
        body = register.to_xlsx(rows, title)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = register.to_pdf(rows, title)
        media = "application/pdf"
    response = HttpResponse(body, content_type=media)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
