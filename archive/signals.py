"""Audit receivers: model changes, logins and failed logins reach the operation log."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from archive import audit
from archive.models import Agency, Box, Case, File, Household, Item, Member, Subtype, User
from archive.validators import validate_no_bidi

AUDITED_MODELS = (Agency, Box, Case, File, Household, Item, Member, Subtype, User)


# Values never written into the log, only that they changed.
SECRET_FIELDS = {"password"}


def _values(instance) -> dict:
    """The concrete field values of ``instance`` as JSON-able values (FKs by id)."""
    out = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if field.name in SECRET_FIELDS:
            value = "***" if value else ""
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        out[field.name] = value
    return out


# Names refused with bidirectional controls whatever the path (forms and serializers run the
# field validator; a platform push or a command saves directly).
NAME_FIELDS = {Household: ("head_name",), Member: ("name",), User: ("real_name",)}


@receiver(pre_save)
def _before_save(sender, instance, raw=False, **kwargs):
    """Refuse names with bidi controls; remember the stored values, so the change entry can
    say what changed from what."""
    for field in NAME_FIELDS.get(sender, ()) if not raw else ():
        validate_no_bidi(getattr(instance, field, ""))
    if raw or sender not in AUDITED_MODELS or audit.suppressed() or instance.pk is None:
        return
    stored = sender._default_manager.filter(pk=instance.pk).first()
    instance._hedang_before = _values(stored) if stored is not None else None


@receiver(post_save)
def _saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or sender not in AUDITED_MODELS or audit.suppressed():
        return
    if sender is User and update_fields and set(update_fields) <= {"last_login"}:
        return
    detail: dict = {"fields": sorted(update_fields)} if update_fields else {}
    before = getattr(instance, "_hedang_before", None)
    instance._hedang_before = None
    if not created and before is not None:
        changes = audit.changes_of(before, _values(instance))
        changes.pop("updated_at", None)
        if changes:
            detail["changes"] = changes
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
    username = str(credentials.get("username", ""))
    # The entry belongs to the agency of the account it named, so that agency's 安全管理 and
    # 监督检查 see attempts on their accounts (an unknown name belongs to no agency).
    named = User.objects.filter(username=username).select_related("agency").first()
    audit.record(
        audit.Action.LOGIN_FAILED,
        request=request,
        object_type="archive.User",
        object_id=username[:80],
        object_repr=username[:200],
        agency_code=named.agency.region_code if named and named.agency_id else "",
    )
