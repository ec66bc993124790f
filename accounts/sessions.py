"""Tracked sessions: a limit per user, and every session of a user ended at once.

Each signed-in session is a :class:`UserSession` row beside Django's own session; ending a user's
sessions deletes them from the session store (database or cache alike).
"""

from __future__ import annotations

import contextvars
from importlib import import_module

from django.conf import settings

from accounts.gates import setting
from accounts.models import UserSession
from archive import audit

# The session of the request being served (set by the gate middleware), so that someone
# changing their own password keeps the session they do it in.
current_key: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "accounts_session_key", default=None
)


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def track(request, user) -> None:
    """Remember this session; beyond the limit, end the user's oldest ones."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if not session.session_key:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip_address": audit.client_ip(request)[:45],
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        },
    )
    limit = setting("HEDANG_MAX_SESSIONS") or 0
    if limit > 0:
        rows = list(UserSession.objects.filter(user=user).order_by("-created", "-id"))
        for row in rows[limit:]:
            _end(row)
            audit.record(
                audit.Action.LOGOUT,
                user,
                request=request,
                detail={"reason": "max_sessions", "limit": limit},
            )


def _end(row: UserSession) -> None:
    _store().delete(row.session_key)
    row.delete()


def end_all(user, *, reason: str, keep_key: str | None = None) -> int:
    """End every tracked session of ``user`` (except ``keep_key``); one log entry."""
    rows = list(UserSession.objects.filter(user=user).exclude(session_key=keep_key or ""))
    for row in rows:
        _end(row)
    if rows:
        audit.record(
            audit.Action.LOGOUT,
            user,
            detail={"reason": reason, "sessions_ended": len(rows)},
        )
    return len(rows)


def forget(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()
