"""Sign-in failure lockout on django-axes: Chinese lockout page, log entries, unlock.

django-axes counts failures per user name and per address (AXES_LOCKOUT_PARAMETERS) in the
database; this module only adapts it: the address comes from archive.audit (the one rule for
"where from"), a lockout and an unlock are 锁定/解锁 entries in the operation log.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset
from django.conf import settings
from django.dispatch import receiver
from django.template.response import TemplateResponse

from archive import audit

LOCKOUT_MESSAGE = (
    "账号已锁定：连续登录失败次数过多。请 {minutes} 分钟后再试，或联系安全管理员解锁。"
)


def client_ip(request) -> str:
    return audit.client_ip(request)


def cooloff_minutes() -> int:
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if cooloff is None:
        return 0
    hours = cooloff.total_seconds() / 3600 if hasattr(cooloff, "total_seconds") else cooloff
    return round(hours * 60)


def lockout_message() -> str:
    return LOCKOUT_MESSAGE.format(minutes=cooloff_minutes())


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, with the lockout message in Chinese (HTTP 429)."""
    username = (credentials or {}).get("username", "") if credentials else ""
    return TemplateResponse(
        request,
        "accounts/lockout.html",
        {"message": lockout_message(), "username": username},
        status=429,
    ).render()


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit.record(
        audit.Action.LOCKOUT,
        request=request,
        object_type="archive.User",
        object_id=str(username or "")[:80],
        object_repr=str(username or ip_address or "")[:200],
        detail={"username": username or "", "ip_address": ip_address or ""},
    )


def locked_attempts():
    """Attempts currently at or over the failure limit (what an unlock clears)."""
    limit = getattr(settings, "AXES_FAILURE_LIMIT", 6)
    return AccessAttempt.objects.filter(failures_since_start__gte=limit).order_by("-attempt_time")


def unlock(*, request, username: str = "", ip_address: str = "") -> int:
    """Clear the failures of a user name and/or an address; one 解锁 entry in the log."""
    count = 0
    if username:
        count += reset(username=username)
    if ip_address:
        count += reset(ip=ip_address)
    audit.record(
        audit.Action.UNLOCK,
        request=request,
        object_type="archive.User",
        object_id=username[:80],
        object_repr=(username or ip_address)[:200],
        detail={"username": username, "ip_address": ip_address, "attempts_cleared": count},
    )
    return count
