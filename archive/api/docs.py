"""Browsable API documentation (Swagger UI) served without any CDN.

The Swagger UI files come from the ``drf-spectacular-sidecar`` package and are served by
:func:`asset` under /api/v1/docs/assets/, so the docs work without adding the sidecar to
INSTALLED_APPS or running collectstatic. Without the package the CDN defaults are used.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.http import FileResponse, JsonResponse
from django.urls import reverse
from drf_spectacular.views import SpectacularSwaggerView

try:
    import drf_spectacular_sidecar
except ImportError:  # pragma: no cover - the package is in requirements.txt
    SWAGGER_DIST: Path | None = None
else:
    SWAGGER_DIST = (
        Path(drf_spectacular_sidecar.__file__).parent
        / "static"
        / "drf_spectacular_sidecar"
        / "swagger-ui-dist"
    )

ASSETS = {
    "swagger-ui.css",
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "favicon-32x32.png",
}


class DocsView(SpectacularSwaggerView):
    url_name = "api:schema"
    title = "核档 Hedang API"

    def _swagger_ui_resource(self, filename: str) -> str:
        if SWAGGER_DIST is None:
            return super()._swagger_ui_resource(filename)
        return reverse("api:docs-asset", kwargs={"name": filename})

    def _swagger_ui_favicon(self) -> str:
        if SWAGGER_DIST is None:
            return super()._swagger_ui_favicon()
        return reverse("api:docs-asset", kwargs={"name": "favicon-32x32.png"})


def _error(status: int, code: str, message: str) -> JsonResponse:
    body = {"error": {"code": code, "message": message, "field": None}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def asset(request, name: str):
    if request.method not in ("GET", "HEAD"):
        response = _error(405, "method_not_allowed", f"不支持的请求方法：{request.method}")
        response["Allow"] = "GET, HEAD"
        return response
    path = SWAGGER_DIST / name if SWAGGER_DIST is not None and name in ASSETS else None
    if path is None or not path.is_file():
        return _error(404, "not_found", "接口不存在")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
