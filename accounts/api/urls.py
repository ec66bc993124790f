"""/api/v1/ endpoints of the accounts app (mounted by config/urls.py before archive's catch-all)."""

from __future__ import annotations

urlpatterns: list = []
