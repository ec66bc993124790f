"""The one place where admin views look objects up, refuse access and log the refusal.

An object outside the user's jurisdiction answers 404, exactly like one that does not exist,
so nobody learns what lies beyond their scope. Missing the model permission answers 403.
Both write an ``Action.DENIED`` entry with the object type, id and the requested path.
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse

from archive import audit

_RECORDED = "_hedang_denied_recorded"


def permission_label(model: type[models.Model], action: str = "view") -> str:
    return f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}"


def record_denied(
    request, model: type[models.Model] | None, object_id="", *, reason: str, **detail
) -> None:
    """Write one DENIED entry for this request (never two, however the refusal travels)."""
    if getattr(request, _RECORDED, False):
        return
    setattr(request, _RECORDED, True)
    audit.record(
        audit.Action.DENIED,
        request=request,
        object_type=model._meta.label if model is not None else "",
        object_id="" if object_id is None else str(object_id),
        object_repr=request.path[:200],
        detail={
            "path": request.get_full_path()[:500],
            "method": request.method,
            "reason": reason,
            **detail,
        },
    )


def require_permission(request, model: type[models.Model], action: str = "view", pk="") -> None:
    """Raise PermissionDenied (recorded) unless the user has the model permission."""
    label = permission_label(model, action)
    if not request.user.has_perm(label):
        record_denied(request, model, pk, reason="permission", permission=label)
        raise PermissionDenied


def get_visible_or_deny(
    request, model: type[models.Model], pk, *, action: str = "view", queryset=None
):
    """The object ``pk`` of ``model`` if the user may ``action`` it; else 403 or 404, recorded.

    Visibility is decided by ``visible_to`` alone: the object is looked up in the user's
    scoped queryset, never in the whole table. ``queryset`` is only for models outside the
    scoping rule (the operation log), and must already be limited to what the user may see.
    """
    require_permission(request, model, action, pk)
    if queryset is None:
        queryset = model._default_manager.visible_to(request.user)
    try:
        return queryset.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError):
        record_denied(request, model, pk, reason="out_of_scope_or_missing")
        raise Http404("未找到该记录") from None


def denied_response(request) -> TemplateResponse:
    return TemplateResponse(
        request, "archive/denied.html", {"header_title": "无权访问"}, status=403
    )


class AuditedAccessMixin:
    """For class-based admin views: a refusal (PermissionDenied) is recorded and shown as 403."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            model = getattr(self, "model", None)
            record_denied(request, model, kwargs.get("pk", ""), reason="permission")
            return denied_response(request)


def audited_access(view_func):
    """The same for function views."""

    @functools.wraps(view_func)
    def wrapped(request, *args, **kwargs):
        try:
            return view_func(request, *args, **kwargs)
        except PermissionDenied:
            record_denied(request, None, kwargs.get("pk", ""), reason="permission")
            return denied_response(request)

    return wrapped
