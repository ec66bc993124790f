"""The per-token rate limit of platform requests (``settings.HEDANG_PUSH_RATE``).

Counted in the ``platform`` cache (Redis when the broker is Redis, so every web process
shares the counts; otherwise a file cache in the data directory). Requests without a
platform token are not limited here. Over the limit: 429 with ``Retry-After``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from archive.models import PlatformToken


class PlatformRateThrottle(SimpleRateThrottle):
    scope = "platform"

    @property
    def cache(self):
        return caches["platform"]

    def get_rate(self) -> str | None:
        return settings.HEDANG_PUSH_RATE or None

    def allow_request(self, request, view) -> bool:
        """Counted atomically (archive/ratelimit.py), not by read-modify-write of a list."""
        from archive.ratelimit import hit

        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count, self._left = hit(self.key, self.duration)
        return count <= self.num_requests

    def wait(self) -> float | None:
        return max(getattr(self, "_left", 1.0), 1.0)

    def get_cache_key(self, request, view) -> str | None:
        token = getattr(request, "auth", None)
        if not isinstance(token, PlatformToken):
            return None
        return f"throttle-platform-{token.pk}-{token.prefix}"
