from __future__ import annotations

from archive import audit


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
