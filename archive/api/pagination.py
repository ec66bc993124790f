"""Every list endpoint pages with a ceiling: ``?limit=100000`` answers at most
``HEDANG_API_MAX_PAGE_SIZE`` rows (bulk export of personal data is not an API feature)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    @property
    def max_limit(self) -> int:  # read per request so tests and settings can change it
        return int(getattr(settings, "HEDANG_API_MAX_PAGE_SIZE", 200))
