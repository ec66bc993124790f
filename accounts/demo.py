"""Demo data of the accounts app (``hedang_seed_demo`` hook of archive.demo.seed_demo).

Every demo user gets a current 安全保密承诺书, so ``make run`` sign-ins reach the admin; the
three separate administrators (two security administrators, so that one can approve the
other's requests) are added. Superusers and administrators enrol TOTP at their first sign-in.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import commitment
from accounts.models import Commitment
from archive.demo import DEMO_PASSWORD
from archive.models import Agency, User

ADMINISTRATORS = [
    ("sysadmin", "钱系统", "系统管理员"),
    ("security", "吴安全", "安全管理员"),
    ("security2", "郑安全", "安全管理员"),
    ("auditor", "冯审计", "审计管理员"),
]


def seed() -> None:
    province = Agency.objects.get(region_code="420000")
    for username, real_name, role in ADMINISTRATORS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"real_name": real_name, "agency": province}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))
    for user in User.objects.filter(is_active=True):
        if not commitment.has_current(user):
            Commitment.objects.create(
                user=user,
                signed_on=timezone.localdate(),
                method=Commitment.Method.ESIGN,
                signature=user.real_name or user.username,
                text_sha256=commitment.TEXT_SHA256,
                recorded_by=user,
            )
