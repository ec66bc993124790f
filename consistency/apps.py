from django.apps import AppConfig


class ConsistencyConfig(AppConfig):
    name = "consistency"
    verbose_name = "纸电一致性与四性检测"
    # Permissions this app adds to roles (archive.roles merges them after every migrate).
    hedang_role_permissions: dict[str, list[str]] = {
        "档案管理员": [
            "consistency.view_discrepancy",
            "consistency.resolve_discrepancy",
            "consistency.view_fixityrun",
        ],
        "监督检查": ["consistency.view_discrepancy", "consistency.view_fixityrun"],
    }
