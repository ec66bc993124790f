from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """A request counter of one fixed window (archive/ratelimit.py, when there is no Redis):
    incremented with one UPDATE … SET count = count + 1, so concurrent requests never lose
    a count."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.key}={self.count}"
