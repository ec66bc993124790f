"""Admin URLs and the 账号安全 menu of the accounts app."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from archive.views.menu import PermissionMenuItem


@hooks.register("register_admin_urls")
def accounts_urls():
    return [path("accounts/", include("accounts.admin_urls", namespace="accounts_admin"))]


def _items():
    return [
        PermissionMenuItem(
            "账号安全",
            reverse("accounts_admin:index"),
            name="accounts-users",
            icon_name="user",
            order=10,
            permission="accounts.manage_accounts",
        ),
        PermissionMenuItem(
            "账号审批",
            reverse("accounts_admin:requests"),
            name="accounts-requests",
            icon_name="tasks",
            order=20,
            permission="accounts.approve_accounts",
        ),
        PermissionMenuItem(
            "登录锁定",
            reverse("accounts_admin:lockouts"),
            name="accounts-lockouts",
            icon_name="lock",
            order=30,
            permission="accounts.unlock_accounts",
        ),
        PermissionMenuItem(
            "承诺书待签",
            reverse("accounts_admin:commitments_due"),
            name="accounts-commitments",
            icon_name="doc-full",
            order=40,
            permission="accounts.manage_accounts",
        ),
        MenuItem(
            "双因素认证（本人）",
            reverse("accounts:gate_otp_setup"),
            name="accounts-own-otp",
            icon_name="key",
            order=50,
        ),
        MenuItem(
            "修改密码（本人）",
            reverse("accounts:gate_password"),
            name="accounts-own-password",
            icon_name="password",
            order=60,
        ),
    ]


@hooks.register("register_admin_menu_item")
def accounts_menu():
    return SubmenuMenuItem(
        "账号安全", Menu(items=_items()), name="accounts", icon_name="lock", order=880
    )


@hooks.register("hedang_worklist")
def accounts_worklist(request):
    from accounts.models import AccountRequest

    if not request.user.has_perm("accounts.approve_accounts"):
        return []
    pending = AccountRequest.objects.filter(status=AccountRequest.Status.PENDING).exclude(
        requested_by=request.user
    )
    return [
        {
            "label": "待审批的账号申请",
            "count": pending.count(),
            "url": reverse("accounts_admin:requests"),
        }
    ]


@hooks.register("hedang_seed_demo")
def accounts_demo():
    from accounts.demo import seed

    seed()


@hooks.register("register_user_listing_buttons")
def security_button(user, request_user):
    """账号安全 (2FA, sessions, 离职, commitments, certificates) from the user list."""
    from wagtail.admin.widgets import ListingButton

    if not request_user.has_perm("accounts.manage_accounts"):
        return []
    return [
        ListingButton(
            "账号安全",
            reverse("accounts_admin:user", args=[user.pk]),
            icon_name="lock",
            priority=30,
        )
    ]
