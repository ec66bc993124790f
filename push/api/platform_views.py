"""The main platform's push endpoints: ``POST /api/v1/reports`` and ``/api/v1/materials``.

Multipart form: ``file`` (the PDF, kept byte for byte) and ``metadata`` (JSON). Replies with
the receipt (201 filed, 200 the same file again), or the JSON error with 400 (malformed),
401/403 (token, jurisdiction), 409 (same number, other bytes), 413 (too large), 422 (not a
PDF, tampered signature, metadata that disagrees with the number), 429 (rate limit). A
rejected request stores nothing; every request leaves one operation-log entry.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.files.uploadhandler import FileUploadHandler
from drf_spectacular.utils import OpenApiRequest, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.fields import ErrorDetail
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.authentication import PlatformTokenAuthentication, SessionAuthentication
from archive.api.base import ApiViewMixin
from archive.api.errors import ErrorSerializer
from archive.api.permissions import require
from archive.api.request_log import annotate, mark_logged, request_detail
from archive.models import PlatformToken
from push import platform, platform_rules
from push.api.platform_serializers import (
    MaterialMetadataSerializer,
    MaterialPushRequestSerializer,
    ReceiptSerializer,
    ReportMetadataSerializer,
    ReportPushRequestSerializer,
)

METADATA_LIMIT = 1024 * 1024


class PushError(exceptions.ValidationError):
    """A refusal in the API's error shape, with any 4xx status and the field at fault."""

    def __init__(self, status_code: int, code: str, message: str, field: str | None = None):
        detail = ErrorDetail(message, code)
        super().__init__({field: [detail]} if field else [detail])
        self.status_code = status_code


class PlatformForbidden(exceptions.APIException):
    """403 without the error handler's own ``denied`` entry (the request log writes one)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "没有执行此操作的权限"
    default_code = "permission_denied"


class SizeLimitHandler(FileUploadHandler):
    """Stops an upload as soon as it passes the limit (also without Content-Length)."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.HEDANG_PUSH_MAX_BYTES:
            raise PushError(413, "too_large", platform.too_large_message(), "file")
        return raw_data

    def file_complete(self, file_size):
        return None


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


JSON_PART = {"metadata": {"contentType": "application/json"}}
PUSH_RESPONSES = {
    201: OpenApiResponse(ReceiptSerializer, description="已归档：回执"),
    200: OpenApiResponse(ReceiptSerializer, description="同一编号、同一文件此前已归档：原回执"),
    400: _error("请求格式错误：JSON 无法解析、缺少字段、编号格式或校验码错误"),
    401: _error("令牌缺失、无效、已吊销或已过期"),
    403: _error("编号中的地区或该户不在令牌的辖区内，或没有归档权限"),
    409: _error("同一编号已归档，但文件内容不同；未作任何改动"),
    413: _error("文件超过上限"),
    422: _error("不是 PDF、签名被篡改、未签名（按设置拒收）或元数据与编号不一致"),
    429: _error("超过令牌的请求频率上限"),
}


class PushView(ApiViewMixin, APIView):
    authentication_classes = [PlatformTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, require("archive.add_item")]
    parser_classes = [MultiPartParser]
    log_every_request = True
    metadata_serializer: type

    def initial(self, request, *args, **kwargs):
        # Before anything reads the body (CSRF checks of a session would parse it).
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.HEDANG_PUSH_MAX_BYTES + METADATA_LIMIT:
            raise PushError(413, "too_large", platform.too_large_message(), "file")
        request._request.upload_handlers.insert(0, SizeLimitHandler(request._request))
        super().initial(request, *args, **kwargs)

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated()
        raise PlatformForbidden(message)

    def _form(self, request):
        try:
            return request.data
        except RequestDataTooBig as exc:
            raise PushError(413, "too_large", "表单字段超过大小上限", "metadata") from exc
        except TooManyFieldsSent as exc:
            raise PushError(400, "invalid", "表单字段过多") from exc

    def _metadata(self, request) -> dict:
        raw = self._form(request).get("metadata")
        if raw is None:
            raise PushError(400, "required", "缺少 metadata（JSON）", "metadata")
        if hasattr(raw, "read"):  # sent as a file part
            raw = raw.read(METADATA_LIMIT + 1)
            if len(raw) > METADATA_LIMIT:
                raise PushError(413, "too_large", "metadata 超过 1 MB", "metadata")
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise PushError(
                    400, "invalid_json", "metadata 不是 UTF-8 文本", "metadata"
                ) from exc
        try:
            value = json.loads(raw)
        except (json.JSONDecodeError, TypeError) as exc:
            raise PushError(
                400, "invalid_json", f"metadata 不是有效的 JSON：{exc}", "metadata"
            ) from exc
        if not isinstance(value, dict):
            raise PushError(400, "invalid", "metadata 应为 JSON 对象", "metadata")
        return value

    def _upload(self, request) -> tuple[bytes, str]:
        upload = self._form(request).get("file")
        if upload is None or upload == "":
            raise PushError(400, "required", "缺少文件 file（PDF）", "file")
        if not hasattr(upload, "read"):
            raise PushError(400, "invalid", "file 应以文件形式上传（multipart 文件部分）", "file")
        if upload.size > settings.HEDANG_PUSH_MAX_BYTES:
            raise PushError(413, "too_large", platform.too_large_message(), "file")
        data = upload.read()
        if not data:
            raise PushError(422, "not_pdf", "文件为空", "file")
        return data, upload.name or ""

    def build(self, request, meta: dict, sha256: str) -> platform_rules.Push:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        meta = self._metadata(request)
        serializer = self.metadata_serializer(data=meta, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data, name = self._upload(request)
        token = request.auth if isinstance(request.auth, PlatformToken) else None
        sha256 = hashlib.sha256(data).hexdigest()
        annotate(request, sha256=sha256)
        try:
            spec = self.build(request, serializer.validated_data, sha256)
            annotate(request, key=spec.key, document_number=spec.document_number)
            # A push filed now logs this request in its filing entry (one chained entry,
            # in the filing transaction); anything else is logged after the response.
            outcome = platform.push(spec, data, name, token, request_detail(request, 201))
        except platform_rules.Rejected as exc:
            raise PushError(exc.status, exc.code, exc.message, exc.field) from exc
        if outcome.logged:
            mark_logged(request)
        annotate(
            request,
            archive_number=outcome.receipt.get("archive_number"),
            outcome="filed" if outcome.status == 201 else "replayed",
        )
        return Response(outcome.receipt, status=outcome.status)


@extend_schema(
    summary="主平台推送核对报告（PDF + 元数据）",
    description=(
        "multipart 表单：file 为报告 PDF（原样保存），metadata 为 JSON（见 ReportMetadata）。"
        "同一报告编号、同一文件再次推送返回原回执（200）；文件不同返回 409，不作改动。"
    ),
    request={
        "multipart/form-data": OpenApiRequest(ReportPushRequestSerializer, encoding=JSON_PART)
    },
    responses=PUSH_RESPONSES,
    tags=["platform"],
)
class ReportPushView(PushView):
    metadata_serializer = ReportMetadataSerializer

    def build(self, request, meta: dict, sha256: str) -> platform_rules.Push:
        return platform_rules.report_push(request.user, meta)


@extend_schema(
    summary="主平台推送其他电子材料（授权书、委托书、申报与审批材料…）",
    description=(
        "multipart 表单：file 为 PDF，metadata 为 JSON（见 MaterialMetadata：category、"
        "subtype、household、formed_on…）。有文号（或授权书编号）时以其为幂等键，"
        "否则以户和文件的 SHA-256 为键。"
    ),
    request={
        "multipart/form-data": OpenApiRequest(MaterialPushRequestSerializer, encoding=JSON_PART)
    },
    responses=PUSH_RESPONSES,
    tags=["platform"],
)
class MaterialPushView(PushView):
    metadata_serializer = MaterialMetadataSerializer

    def build(self, request, meta: dict, sha256: str) -> platform_rules.Push:
        token = request.auth if isinstance(request.auth, PlatformToken) else None
        agency = token.agency if token else request.user.agency
        return platform_rules.material_push(request.user, agency, meta, sha256)
