from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与登录安全"
    # Permissions this app adds to roles (archive.roles merges them after every migrate).
    hedang_role_permissions: dict[str, list[str]] = {}
