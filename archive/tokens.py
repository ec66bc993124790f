"""API tokens of the main platform: made, checked and revoked here; stored only hashed.

A token reads ``hd_<prefix>.<secret>``: the 12 hex characters of ``prefix`` find the row,
the SHA-256 of the whole token must equal ``key_hash``. Each token acts as a dedicated
account ``platform:<name>`` of its agency in the 平台接口 role, so jurisdiction scoping
(``visible_to``) and the operation log work unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from archive.models import Agency, PlatformToken, User
from archive.roles import PLATFORM

PREFIX_LEN = 12
TOKEN_START = "hd_"
TOUCH_EVERY = timedelta(minutes=1)


class TokenInvalid(Exception):
    """The presented token is unknown, malformed, revoked or expired."""

    def __init__(self, message: str, token: PlatformToken | None = None, prefix: str = "") -> None:
        super().__init__(message)
        self.token = token
        self.prefix = prefix


@dataclass(frozen=True)
class IssuedToken:
    token: PlatformToken
    secret: str  # the whole token, shown once


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def split_prefix(raw: str) -> str:
    """The lookup prefix of a presented token, or "" when it has none (never the secret)."""
    if not raw.startswith(TOKEN_START):
        return ""
    prefix, dot, _ = raw[len(TOKEN_START) :].partition(".")
    if not dot or len(prefix) != PREFIX_LEN or not all(c in "0123456789abcdef" for c in prefix):
        return ""
    return prefix


def platform_user(name: str, agency: Agency) -> User:
    username = f"platform:{name}"[:150]
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"agency": agency, "real_name": f"平台接口 {name}"[:50], "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif user.agency_id != agency.pk or not user.is_active:
        user.agency = agency
        user.is_active = True
        user.save(update_fields=["agency", "is_active"])
    user.groups.add(Group.objects.get(name=PLATFORM))
    return user


def create_token(
    name: str,
    agency: Agency,
    *,
    created_by: User | None = None,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """A new token (its secret is returned once, never stored)."""
    name = name.strip()
    if not name:
        raise ValueError("令牌名称不能为空")
    with transaction.atomic():
        if PlatformToken.objects.filter(name=name, revoked_at__isnull=True).exists():
            raise ValueError(f"已有名为 {name} 的有效令牌；请先吊销")
        user = platform_user(name, agency)
        while True:
            prefix = secrets.token_hex(PREFIX_LEN // 2)
            if not PlatformToken.objects.filter(prefix=prefix).exists():
                break
        raw = f"{TOKEN_START}{prefix}.{secrets.token_urlsafe(32)}"
        token = PlatformToken.objects.create(
            name=name,
            agency=agency,
            user=user,
            prefix=prefix,
            key_hash=hash_token(raw),
            created_by=created_by,
            expires_at=expires_at,
        )
    return IssuedToken(token=token, secret=raw)


def revoke(name: str) -> list[PlatformToken]:
    """Revoke every active token of that name; returns them."""
    now = timezone.now()
    tokens = list(PlatformToken.objects.filter(name=name, revoked_at__isnull=True))
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
    return tokens


def verify(raw: str) -> PlatformToken:
    """The active token for ``raw``; raises :class:`TokenInvalid`."""
    prefix = split_prefix(raw)
    if not prefix:
        raise TokenInvalid("令牌格式错误")
    token = (
        PlatformToken.objects.select_related("user", "agency", "user__agency")
        .filter(prefix=prefix)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, hash_token(raw)):
        raise TokenInvalid("令牌无效", prefix=prefix)
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenInvalid("令牌已吊销", token, prefix)
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenInvalid("令牌已过期", token, prefix)
    if not token.user.is_active:
        raise TokenInvalid("令牌的接口账号已停用", token, prefix)
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        PlatformToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    load_permissions(token.user)
    return token


def load_permissions(user: User) -> None:
    """The account's permissions in one query (its own and its groups'), where Django's
    ModelBackend asks two on the first ``has_perm``. The result is what ModelBackend would
    cache on this user object for this request (``_perm_cache``): the same set, read fresh
    for every request, so a permission taken from the 平台接口 role applies at once.
    Superusers and inactive accounts are left to ModelBackend."""
    if user.is_superuser or not user.is_active:
        return
    rows = (
        Permission.objects.filter(Q(user=user) | Q(group__user=user))
        .values_list("content_type__app_label", "codename")
        .order_by()
        .distinct()
    )
    user._perm_cache = {f"{app}.{codename}" for app, codename in rows}
