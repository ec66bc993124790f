from __future__ import annotations

from django.conf import settings

from archive import audit

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")


class ProxyHeadersMiddleware:
    """Drops X-Forwarded-* from requests that did not come from a trusted proxy.

    Django's SECURE_PROXY_SSL_HEADER and anything else that reads these headers then only
    ever sees values set by a proxy listed in HEDANG_TRUSTED_PROXIES; the client address is
    decided by :func:`archive.audit.client_ip` from the same list.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not audit.trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


class AuditContextMiddleware:
    """Makes the request's user and address known to audit.record() during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.set_context(getattr(request, "user", None), audit.client_ip(request))
        try:
            return self.get_response(request)
        finally:
            audit.reset_context(token)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (settings.HEDANG_CSP,
    HEDANG_PERMISSIONS_POLICY); a view that sets its own keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(settings, "HEDANG_CSP", "") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.HEDANG_CSP
        if getattr(settings, "HEDANG_PERMISSIONS_POLICY", "") and (
            "Permissions-Policy" not in response
        ):
            response["Permissions-Policy"] = settings.HEDANG_PERMISSIONS_POLICY
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", "same-origin")
        return response
