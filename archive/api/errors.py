"""The JSON error shape of the API and the one place that logs refused requests.

Every error under /api/v1/ is ``{"error": {"code", "message", "field"}}`` with a 4xx status.
Validation errors carry the validator's ``code`` (e.g. ``check_digit``), its Chinese message
and the field name; when there are several, all of them are also listed in ``errors``.

Refusals are logged here, after any write transaction of the view has been rolled back, so
the ``denied`` entry survives while nothing else of the request is stored:

* :class:`OutOfJurisdiction` (an object that exists but lies outside the caller's
  jurisdiction) answers exactly like a missing object, 404 ``not_found``;
* a missing model permission answers 403 ``permission_denied``.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from archive import audit

NOT_FOUND_MESSAGE = "对象不存在或不在本机构辖区内"
API_PREFIX = "/api/"


class OutOfJurisdiction(exceptions.NotFound):
    """The object exists but the caller may not see it. Answers as a plain 404."""

    def __init__(self, obj: models.Model, lookup: str = "") -> None:
        super().__init__(NOT_FOUND_MESSAGE, code="not_found")
        self.obj = obj
        self.lookup = lookup


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every API error in the one JSON shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND_MESSAGE, code="not_found")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(get_error_detail(exc))
    if not isinstance(exc, exceptions.APIException):
        return None  # a server error: Django's 500 handling

    request = context.get("request")
    if request is not None and not request.path_info.startswith(API_PREFIX):
        # Other DRF views in the project (Wagtail's admin API) keep their own error format.
        return drf_exception_handler(exc, context)
    denied = _record_denial(exc, request, context.get("view"))
    if not denied:
        set_rollback()

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{int(exc.wait)}"
    return Response(error_payload(exc), status=exc.status_code, headers=headers)


def error_payload(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        errors = [
            {"code": detail.code or "invalid", "message": str(detail), "field": field}
            for field, detail in _flatten(exc.detail)
        ] or [{"code": "invalid", "message": "请求数据无效", "field": None}]
        payload: dict = {"error": errors[0]}
        if len(errors) > 1:
            payload["errors"] = errors
        return payload
    detail = exc.detail
    if isinstance(detail, (list, dict)):  # an APIException raised with structured detail
        first = next(iter(_flatten(detail)), (None, str(detail)))
        detail = first[1]
    code = getattr(detail, "code", None) or exc.default_code
    if isinstance(exc, exceptions.NotFound):
        code = "not_found"
    return {"error": {"code": code, "message": str(detail), "field": None}}


def _flatten(detail, path: tuple = ()) -> Iterator[tuple[str | None, object]]:
    """(field path, ErrorDetail) pairs; nested fields as ``members.0.id_number``."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flatten(value, path + (key,))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            inner = path + (index,) if isinstance(value, (dict, list)) else path
            yield from _flatten(value, inner)
    else:
        names = [str(p) for p in path if p != api_settings.NON_FIELD_ERRORS_KEY]
        yield (".".join(names) or None), detail


def _record_denial(exc: exceptions.APIException, request, view) -> bool:
    """Log a refusal (out of jurisdiction, missing permission) as ``denied``."""
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return False
    where = {"path": request.path, "method": request.method}
    if isinstance(exc, OutOfJurisdiction):
        audit.record(
            audit.Action.DENIED,
            exc.obj,
            request=request,
            detail={**where, "reason": "out_of_jurisdiction", "lookup": exc.lookup},
        )
        request._hedang_logged = True  # the request log (request_log.py) needs no 2nd entry
        return True
    if isinstance(exc, exceptions.PermissionDenied):
        model = _view_model(view)
        lookup = ""
        if view is not None and getattr(view, "kwargs", None):
            lookup = "/".join(str(v) for v in view.kwargs.values())
        audit.record(
            audit.Action.DENIED,
            request=request,
            object_type=model._meta.label if model else "",
            object_id=lookup,
            detail={**where, "reason": "permission", "message": str(exc.detail)},
        )
        request._hedang_logged = True
        return True
    return False


def _view_model(view) -> type[models.Model] | None:
    model = getattr(view, "model", None)
    if model is None and getattr(view, "queryset", None) is not None:
        model = view.queryset.model
    return model


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="机器可读的错误代码，如 check_digit、not_found")
    message = serializers.CharField(help_text="中文错误说明")
    field = serializers.CharField(allow_null=True, help_text="出错的字段；与字段无关时为 null")


class ErrorSerializer(serializers.Serializer):
    """The error envelope, for the schema."""

    error = ErrorBodySerializer()
    errors = ErrorBodySerializer(many=True, required=False)


class NotFoundView(APIView):
    """Answers every unknown path under /api/v1/ with the JSON 404."""

    authentication_classes: list = []
    permission_classes: list = []
    schema = None  # not part of the API description

    def _not_found(self, request, *args, **kwargs):
        raise exceptions.NotFound("接口不存在", code="not_found")

    get = post = put = patch = delete = head = options = _not_found
