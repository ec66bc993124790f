from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = "借阅"
    # Permissions this app adds to roles (archive.roles merges them after every migrate).
    hedang_role_permissions: dict[str, list[str]] = {}
