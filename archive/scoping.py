"""The one rule deciding which households a user may see.

A county agency sees its county, a city agency its counties, the province everything. Every
admin view, API endpoint and search goes through ``visible_to``; nothing else decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from archive.models import User


class ScopedQuerySet(models.QuerySet):
    """A queryset for a model with a ``scope_path`` naming the path to its Agency."""

    def visible_to(self, user: User | None) -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        agency_ids = user.visible_agency_ids
        if agency_ids is None:
            return self
        return self.filter(**{f"{self.model.scope_path}__in": agency_ids})


def can_see(user: User | None, obj: models.Model) -> bool:
    """Whether ``obj`` (any scoped model instance) lies in the user's jurisdiction."""
    return type(obj)._default_manager.visible_to(user).filter(pk=obj.pk).exists()
