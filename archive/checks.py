"""System checks of the production configuration (``manage.py check --deploy``).

``hedang.E001``: an account still has the demo password (archive/demo.py). A production
start (config/wsgi.py with HEDANG_PRODUCTION=1) refuses to serve while this check fails.
Checked: the demo accounts by name and every superuser (a password check costs a full
PBKDF2 run, so not every account on every start).
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError


def demo_password_accounts() -> list[str]:
    """Usernames of accounts whose password is the published demo password."""
    from django.db.models import Q

    from archive.demo import DEMO_PASSWORD, DEMO_USERS
    from archive.models import User

    names = [u.username for u in DEMO_USERS]
    candidates = User.objects.filter(Q(username__in=names) | Q(is_superuser=True))
    return sorted(
        u.username
        for u in candidates
        if u.has_usable_password() and u.check_password(DEMO_PASSWORD)
    )


@register(Tags.security, deploy=True)
def check_demo_passwords(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    if settings.HEDANG_DEMO and settings.PRODUCTION:
        errors.append(Error("生产配置不能启用演示数据（HEDANG_DEMO）", id="hedang.E002"))
    try:
        accounts = demo_password_accounts()
    except DatabaseError:
        return errors  # no database yet: nothing to check
    if accounts:
        errors.append(
            Error(
                f"以下账号仍使用公开的演示密码：{'、'.join(accounts)}",
                hint="改密码（manage.py changepassword 用户名）或停用这些账号后再启动生产环境",
                id="hedang.E001",
            )
        )
    return errors


def refuse_demo_passwords() -> None:
    """Called when a production process starts: refuse to serve with a demo password."""
    errors = check_demo_passwords()
    if errors:
        raise ImproperlyConfigured("；".join(f"{e.id} {e.msg}" for e in errors))
