"""The sign-in gates, checked on every request of a signed-in user, in this order:

1. session idle timeout and absolute lifetime (then signed out);
2. certificate required (HEDANG_REQUIRE_CERTIFICATE) and the session not opened with one;
3. second factor: enrolled but not verified in this session, or required and not enrolled;
4. expired password (forced change);
5. no current 安全保密承诺书.

Steps 2–5 send the user to the one page that clears them (JSON 403 on /api/); nothing else is
reachable meanwhile. A superuser's every request is logged (break-glass).
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts import commitment, otp, passwords, sessions
from accounts.gates import setting
from archive import audit

SEEN = "accounts_seen"
STARTED = "accounts_started"
CERT = "accounts_certificate"
EXEMPT_PREFIXES = ("/static/", "/accounts/gate/", "/admin/logout/", "/admin/login/")
# The admin's icon sprite and translations are fetched by every page's JavaScript, the gate
# pages included: redirected, the sprite would inject the gate page into the page.
EXEMPT_EXACT = ("/admin/jsi18n/", "/admin/sprite/")


def _json(code: str, message: str, status: int = 403) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "field": None}}, status=status)


class AccountsGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        token = sessions.current_key.set(session.session_key if session is not None else None)
        try:
            return self.handle(request, user)
        finally:
            sessions.current_key.reset(token)

    def handle(self, request, user):
        if user is not None and user.is_authenticated:
            response = self.gate(request, user)
            if response is not None:
                return response
            if user.is_superuser and setting("HEDANG_BREAK_GLASS_AUDIT"):
                audit.record(
                    audit.Action.ALARM,
                    user,
                    request=request,
                    detail={"break_glass": True, "method": request.method, "path": request.path},
                )
        return self.get_response(request)

    def gate(self, request, user):
        expired = self.session_expired(request)
        if expired:
            audit.record(audit.Action.LOGOUT, user, request=request, detail={"reason": expired})
            logout(request)
            if request.path.startswith("/api/"):
                return _json("session_expired", "会话已超时，请重新登录。", 401)
            messages.info(request, "会话已超时，请重新登录。")
            return redirect(f"{reverse('wagtailadmin_login')}?next={request.path}")
        path = request.path
        if path.startswith(EXEMPT_PREFIXES) or path in EXEMPT_EXACT:
            return None
        for check in (self.certificate, self.second_factor, self.password, self.commitment):
            blocked = check(request, user)
            if blocked is not None:
                url_name, code, message = blocked
                if path.startswith("/api/"):
                    return _json(code, message)
                return redirect(f"{reverse(url_name)}?next={path}")
        return None

    def session_expired(self, request) -> str:
        session = request.session
        now = time.time()
        idle = (setting("HEDANG_SESSION_IDLE_MINUTES") or 0) * 60
        absolute = (setting("HEDANG_SESSION_ABSOLUTE_HOURS") or 0) * 3600
        if not idle and not absolute:
            return ""
        started = session.get(STARTED)
        seen = session.get(SEEN)
        if started is None:
            session[STARTED] = started = now
        if idle and seen is not None and now - seen > idle:
            return "idle_timeout"
        if absolute and now - started > absolute:
            return "absolute_timeout"
        # Write the session at most once a minute (each write is a database row update).
        if seen is None or now - seen > 60:
            session[SEEN] = now
        return ""

    def certificate(self, request, user):
        if setting("HEDANG_REQUIRE_CERTIFICATE") and not request.session.get(CERT):
            logout(request)
            return ("wagtailadmin_login", "certificate_required", "须使用数字证书登录。")
        return None

    def second_factor(self, request, user):
        # Off as a whole with the setting: no second factor is asked at all then.
        if not setting("HEDANG_REQUIRE_TOTP"):
            return None
        verified = getattr(user, "is_verified", lambda: False)()
        if verified:
            return None
        if otp.enrolled(user):
            return ("accounts:gate_otp", "otp_required", "须输入动态验证码（双因素认证）。")
        if otp.required_for(user):
            return ("accounts:gate_otp_setup", "otp_enrolment_required", "须先绑定双因素认证。")
        return None

    def password(self, request, user):
        if passwords.password_expired(user):
            return ("accounts:gate_password", "password_expired", "密码已过期，请修改密码。")
        return None

    def commitment(self, request, user):
        if setting("HEDANG_REQUIRE_COMMITMENT") and not commitment.has_current(user):
            return (
                "accounts:gate_commitment",
                "commitment_required",
                "须先签署安全保密承诺书。",
            )
        return None
