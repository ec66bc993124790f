from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "hedang_search"
    verbose_name = "检索"
