"""Authentication classes of the API.

DRF answers 403 instead of 401 when the first authentication class offers no
``WWW-Authenticate`` challenge, which plain SessionAuthentication does not. This subclass
names one, so an anonymous caller gets 401. Token authentication for the main platform
(``Authorization: Token …``) slots in next to it in ``API_AUTHENTICATION``.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication


class SessionAuthentication(authentication.SessionAuthentication):
    """The web UI's login session (CSRF-checked for writes), answering 401 when absent."""

    def authenticate_header(self, request) -> str:
        return 'Session realm="hedang"'


# The classes every API view uses, in order. A platform token class goes here later.
API_AUTHENTICATION = [SessionAuthentication]


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "archive.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
