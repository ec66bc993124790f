from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "核对档案"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks, signals  # noqa: F401  (system checks; the audit receivers)
        from .roles import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="hedang_roles")
