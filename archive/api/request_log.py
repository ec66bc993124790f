"""One operation-log entry per platform request, whatever its outcome.

Written by :class:`archive.api.base.ApiViewMixin` after the response is final (and after any
write transaction of the view has committed or rolled back), for every request of a view
with ``log_every_request`` and for every request that presented a platform token. A
refusal already logged by the error handler (``denied``) is not logged twice.

Action: ``api`` for a success, ``denied`` for 401/403, ``reject`` for other 4xx. The detail
names the token by its public prefix, never the secret.
"""

from __future__ import annotations

from archive import audit
from archive.models import PlatformToken

TOKEN_HEADER = "HTTP_AUTHORIZATION"


def presented_token(request) -> bool:
    return request.META.get(TOKEN_HEADER, "").lower().startswith("token ")


def should_log(view, request) -> bool:
    if getattr(request, "_hedang_logged", False):
        return False
    return bool(getattr(view, "log_every_request", False) or presented_token(request))


def annotate(request, **detail) -> None:
    """Add facts (report number, 档号, sha256…) to the request's log entry."""
    extra = getattr(request, "_hedang_log_detail", None)
    if extra is None:
        extra = {}
        request._hedang_log_detail = extra
    extra.update({k: v for k, v in detail.items() if v not in (None, "")})


def mark_logged(request) -> None:
    """The request's entry was written already (e.g. a push's filing entry, which carries
    :func:`request_detail` in its own transaction): no second entry after the response."""
    request._hedang_logged = True


def _token_of(request) -> PlatformToken | None:
    token = getattr(request, "_auth", None)
    if not isinstance(token, PlatformToken):
        token = getattr(request, "_hedang_token", None)
    return token


def request_detail(request, status: int, response=None) -> dict:
    """What a request's entry says: path, method, status, the token (public prefix and
    name, never the secret), the error of ``response`` and the view's annotations."""
    token = _token_of(request)
    prefix = token.prefix if token is not None else getattr(request, "_hedang_token_prefix", "")
    detail: dict = {"path": request.path, "method": request.method, "status": status}
    if prefix:
        detail["token"] = prefix
    if token is not None:
        detail["token_name"] = token.name
    error = _error_of(response) if response is not None else None
    if error:
        detail.update({f"error_{k}": v for k, v in error.items() if v is not None})
    detail.update(getattr(request, "_hedang_log_detail", None) or {})
    return detail


def log_request(view, request, response) -> None:
    status = response.status_code
    if status < 400:
        action = audit.Action.API
    elif status in (401, 403):
        action = audit.Action.DENIED
    else:
        action = audit.Action.REJECT
    user = getattr(request, "_user", None)  # never re-run authentication here
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    token = _token_of(request)
    detail = request_detail(request, status, response)
    prefix = detail.get("token", "")
    object_id = str(detail.get("archive_number") or detail.get("key") or prefix or "")
    audit.record(
        action,
        user=user,
        request=getattr(request, "_request", request),  # the Django request: no re-auth
        object_type="archive.PlatformToken" if token is not None else "api",
        object_id=object_id,
        object_repr=f"{request.method} {request.path} → {status}",
        detail=detail,
    )
    mark_logged(request)


def _error_of(response) -> dict | None:
    data = getattr(response, "data", None)
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        error = data["error"]
        return {"code": error.get("code"), "field": error.get("field")}
    return None
