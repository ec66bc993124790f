from django.apps import AppConfig

ADMIN_ACCESS = "wagtailadmin.access_admin"


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与登录安全"
    # 三员分立: system, security and audit administrators, each with only their own duties.
    # archive.roles merges these after every migrate (a name not in archive.ROLES is created).
    hedang_role_permissions: dict[str, list[str]] = {
        "系统管理员": [
            ADMIN_ACCESS,
            "archive.view_agency",
            "archive.change_agency",
            "archive.view_subtype",
            "archive.add_subtype",
            "archive.change_subtype",
            "ingest.view_station",
            "ingest.add_station",
            "ingest.change_station",
        ],
        "安全管理员": [
            ADMIN_ACCESS,
            "archive.view_user",
            "archive.add_user",
            "archive.change_user",
            "archive.view_agency",
            "accounts.manage_accounts",
            "accounts.approve_accounts",
            "accounts.unlock_accounts",
        ],
        "审计管理员": [ADMIN_ACCESS, "archive.view_auditentry", "archive.view_auditentry_all"],
        "安全管理": ["accounts.unlock_accounts"],
    }

    def ready(self) -> None:
        from accounts import lockout, signals  # noqa: F401  (receivers)
