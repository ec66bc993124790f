"""Audit receivers: model changes, logins and failed logins reach the operation log."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from archive import audit
from archive.models import Agency, Box, Case, File, Household, Item, Member, Subtype, User

AUDITED_MODELS = (Agency, Box, Case, File, Household, Item, Member, Subtype, User)


@receiver(post_save)
def _saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or sender not in AUDITED_MODELS or audit.suppressed():
        return
    if sender is User and update_fields and set(update_fields) <= {"last_login"}:
        return
    detail = {"fields": sorted(update_fields)} if update_fields else {}
    audit.record(audit.Action.CREATE if created else audit.Action.CHANGE, instance, detail=detail)


@receiver(post_delete)
def _deleted(sender, instance, **kwargs):
    if sender in AUDITED_MODELS and not audit.suppressed():
        audit.record(audit.Action.DELETE, instance)


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(audit.Action.LOGIN, user, user=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(audit.Action.LOGOUT, user, user=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.record(
        audit.Action.LOGIN_FAILED,
        request=request,
        object_type="archive.User",
        object_id=str(credentials.get("username", ""))[:80],
        object_repr=str(credentials.get("username", ""))[:200],
    )
