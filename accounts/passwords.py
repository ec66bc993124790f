"""Password rules (each refusal names its rule in Chinese), history and expiry.

The history validator's ``password_changed`` is called by Django whenever a password is saved,
so every password a user ever had is in :class:`accounts.models.PasswordHistory`; its newest
row is also when the password was last changed (expiry).
"""

from __future__ import annotations

import datetime as dt
import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.gates import setting

CLASSES = {
    "大写字母": set(string.ascii_uppercase),
    "小写字母": set(string.ascii_lowercase),
    "数字": set(string.digits),
}


class LengthValidator:
    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码长度规则：至少 {self.min_length} 个字符（当前 {len(password)} 个）。",
                code="password_too_short",
            )

    def get_help_text(self) -> str:
        return f"密码长度规则：至少 {self.min_length} 个字符。"


def character_classes(password: str) -> list[str]:
    found = [name for name, chars in CLASSES.items() if set(password) & chars]
    if any(not c.isalnum() for c in password):
        found.append("符号")
    return found


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        found = character_classes(password)
        if len(found) < self.min_classes:
            raise ValidationError(
                f"密码复杂度规则：须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类"
                f"（当前 {len(found)} 类：{'、'.join(found) or '无'}）。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码复杂度规则：大写字母、小写字母、数字、符号中至少 {self.min_classes} 类。"


class HistoryValidator:
    """No reuse of the last ``keep`` passwords."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        from accounts.models import PasswordHistory

        recent = PasswordHistory.objects.filter(user=user)[: self.keep]
        if any(check_password(password, row.encoded) for row in recent):
            raise ValidationError(
                f"密码历史规则：不能与最近 {self.keep} 次使用过的密码相同。",
                code="password_reused",
            )

    def password_changed(self, password: str, user=None) -> None:
        remember(user, keep=self.keep)

    def get_help_text(self) -> str:
        return f"密码历史规则：不能与最近 {self.keep} 次的密码相同。"


def remember(user, keep: int = 5) -> None:
    """Record the user's current password hash (once); keep the newest ``keep`` rows.

    Called from the validator's ``password_changed`` and from post_save (create_user sets the
    hash directly, without ``password_changed``)."""
    if user is None or user.pk is None or not user.has_usable_password():
        return
    from accounts.models import PasswordHistory

    newest = PasswordHistory.objects.filter(user=user).only("encoded").first()
    if newest is not None and newest.encoded == user.password:
        return
    PasswordHistory.objects.create(user=user, encoded=user.password)
    stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[max(keep, 1) :]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


def last_changed(user) -> dt.datetime:
    from accounts.models import PasswordHistory

    row = PasswordHistory.objects.filter(user=user).only("created").first()
    return row.created if row else user.date_joined


def password_expired(user) -> bool:
    days = setting("HEDANG_PASSWORD_MAX_AGE_DAYS") or 0
    if days <= 0 or not user.has_usable_password():
        return False
    return timezone.now() - last_changed(user) > dt.timedelta(days=days)
