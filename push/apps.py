from django.apps import AppConfig


class PushConfig(AppConfig):
    """The main platform's push: reports and materials filed through the API, their receipts,
    signature validation, the sealed access copy and the print copies of born-digital items.

    Its models (PlatformToken, PlatformReceipt, PrintTask) stay in archive: the token
    authenticates the platform on archive's whole REST API (archive/api/authentication.py,
    throttling.py, request_log.py), and moving tables between apps is a migration we do not
    need for the layering to hold.
    """

    name = "push"
    verbose_name = "平台推送"
    # Permissions this app adds to roles (archive.roles merges them after every migrate).
    hedang_role_permissions: dict[str, list[str]] = {}
