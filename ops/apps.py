from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "运维"
    # Permissions this app adds to roles (archive.roles merges them after every migrate).
    hedang_role_permissions: dict[str, list[str]] = {}
