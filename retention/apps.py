from django.apps import AppConfig

_VIEW = [
    "retention.view_dueentry",
    "retention.view_hold",
    "retention.view_appraisal",
    "retention.view_appraisaldecision",
    "retention.view_destructionbatch",
]


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "保管期限与鉴定销毁"
    # Permissions this app adds to roles (archive.roles merges them after every migrate).
    # 机构负责人 (the agency head, who approves destruction) is a role of its own.
    hedang_role_permissions: dict[str, list[str]] = {
        "档案管理员": [
            *_VIEW,
            "retention.appraise_item",
            "retention.place_hold",
            "retention.propose_destruction",
            "retention.execute_destruction",
        ],
        "机构负责人": [
            *_VIEW,
            "retention.approve_destruction",
            "retention.place_hold",
            "wagtailadmin.access_admin",
            "archive.view_household",
            "archive.view_item",
            "archive.view_case",
        ],
        "监督检查": [*_VIEW, "retention.supervise_destruction"],
        "安全管理": [*_VIEW, "retention.supervise_destruction"],
    }

    def ready(self) -> None:
        from retention import worm

        worm.connect()
