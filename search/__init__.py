"""Hedang's search service (Django app label ``hedang_search``).

Public face (import from here or from ``search.service``)::

    from search import search, index_item, remove_item, reindex, check, UNRESTRICTED

    result = search("张伟", request.user, category="report", year=2024, region="420102")
    result.total, result.hits[0].snippet, result.facets["category"]

Everything else (search.text, search.backends, …) is internal.
"""

__all__ = [
    "UNRESTRICTED",
    "CheckReport",
    "FacetValue",
    "Hit",
    "SearchResult",
    "check",
    "deferred",
    "index_item",
    "reindex",
    "remove_item",
    "search",
    "update_items",
]


def __getattr__(name):  # lazy: this package is imported while Django loads its apps
    if name in __all__:
        from search import service

        return getattr(service, name)
    raise AttributeError(f"module 'search' has no attribute {name!r}")
