from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "hedang_search"
    verbose_name = "检索"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals

        signals.connect()
        post_migrate.connect(
            signals.purge_after_flush, sender=self, dispatch_uid="hedang_search_purge"
        )
