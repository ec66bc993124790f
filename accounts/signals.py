"""Receivers: sessions tracked at sign-in, ended when what a session was granted changes."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from accounts import passwords, sessions
from accounts.gates import setting
from accounts.middleware import CERT, SEEN, STARTED
from archive import audit

User = get_user_model()
WATCHED = ("password", "agency_id", "is_active", "is_superuser")


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[STARTED] = now
    request.session[SEEN] = now
    serial = getattr(request, "accounts_certificate_serial", "")
    if serial:
        request.session[CERT] = serial
    sessions.track(request, user)
    if user.is_superuser and setting("HEDANG_BREAK_GLASS_AUDIT"):
        audit.record(
            audit.Action.ALARM,
            user,
            user=user,
            request=request,
            detail={"break_glass": True, "event": "superuser_login"},
        )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.forget(request.session.session_key)


@receiver(pre_save, sender=User)
def _remember_old(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).values(*WATCHED).first()
    if old:
        instance._accounts_changed = [f for f in WATCHED if old[f] != getattr(instance, f)]


@receiver(post_save, sender=User)
def _end_on_change(sender, instance, created, raw=False, update_fields=None, **kwargs):
    changed = getattr(instance, "_accounts_changed", [])
    instance._accounts_changed = []
    if not raw and (created or "password" in changed):
        passwords.remember(instance)
    if raw or created or not changed or not setting("HEDANG_END_SESSIONS_ON_CHANGE"):
        return
    keep = sessions.current_key.get() if changed == ["password"] else None
    sessions.end_all(instance, reason="changed:" + ",".join(changed), keep_key=keep)


@receiver(m2m_changed, sender=User.groups.through)
def _end_on_roles(sender, instance, action, reverse=False, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    if setting("HEDANG_END_SESSIONS_ON_CHANGE") and instance.pk:
        sessions.end_all(instance, reason="changed:groups")
