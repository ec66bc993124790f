"""Atomic fixed-window request counters for rate limits.

Redis (``INCR`` + ``EXPIRE`` in one pipeline) when the ``platform`` cache is Redis, so every
web process shares one count; otherwise a database row incremented with a single UPDATE.
The old throttle read a list from the cache, appended and wrote it back: 16 threads got
1,524 of 2,000 requests through a limit of 600/min.
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from archive.models import RateCounter


def _redis_client():
    cache = caches["platform"]
    if cache.__class__.__name__ != "RedisCache":
        return None, ""
    return cache._cache.get_client(write=True), cache.make_key("")


def hit(key: str, window_seconds: int) -> tuple[int, float]:
    """Count one request under ``key`` in the current window; (count so far, seconds left)."""
    now = time.time()
    window = int(now // window_seconds)
    left = (window + 1) * window_seconds - now
    full_key = f"rate:{key}:{window}"
    client, prefix = _redis_client()
    if client is not None:
        pipe = client.pipeline()
        pipe.incr(prefix + full_key)
        pipe.expire(prefix + full_key, window_seconds + 1)
        count, _ = pipe.execute()
        return int(count), left
    return _db_hit(full_key, window_seconds), left


def _db_hit(full_key: str, window_seconds: int) -> int:
    expires = timezone.now() + dt.timedelta(seconds=window_seconds + 1)
    with transaction.atomic():
        updated = RateCounter.objects.filter(key=full_key).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=full_key, count=1, expires_at=expires)
            except IntegrityError:  # created by a concurrent request meanwhile
                RateCounter.objects.filter(key=full_key).update(count=F("count") + 1)
        count = RateCounter.objects.filter(key=full_key).values_list("count", flat=True).get()
    if count == 1:  # the first of a window sweeps the expired rows
        RateCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    return count
