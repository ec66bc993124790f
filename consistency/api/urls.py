"""/api/v1/ endpoints of the consistency app (mounted by config/urls.py before archive's catch-all)."""

from __future__ import annotations

urlpatterns: list = []
