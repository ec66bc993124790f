"""Authentication classes of the API.

DRF answers 403 instead of 401 when the first authentication class offers no
``WWW-Authenticate`` challenge, which plain SessionAuthentication does not. This subclass
names one, so an anonymous caller gets 401. The main platform authenticates with
``Authorization: Token <token>`` (:class:`PlatformTokenAuthentication`, archive/tokens.py).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions


class SessionAuthentication(authentication.SessionAuthentication):
    """The web UI's login session (CSRF-checked for writes), answering 401 when absent."""

    def authenticate_header(self, request) -> str:
        return 'Session realm="hedang"'


class PlatformTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token hd_<prefix>.<secret>``: the request acts as the token's
    dedicated account. Unknown, revoked or expired tokens answer 401."""

    keyword = b"token"

    def authenticate(self, request):
        from archive import tokens

        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("令牌格式错误：应为 Token <令牌>")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("令牌格式错误") from None
        request._hedang_token_prefix = tokens.split_prefix(raw)
        try:
            token = tokens.verify(raw)
        except tokens.TokenInvalid as exc:
            request._hedang_token = exc.token
            raise exceptions.AuthenticationFailed(str(exc)) from None
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Token realm="hedang"'


# The classes every API view uses, in order.
API_AUTHENTICATION = [SessionAuthentication, PlatformTokenAuthentication]


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "archive.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "archive.api.authentication.PlatformTokenAuthentication"
    name = "platformToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "平台接口令牌：`Token hd_<前缀>.<密钥>`（manage.py create_platform_token）",
        }
