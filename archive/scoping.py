"""The one rule deciding which households a user may see.

A county agency sees its county, a city agency its counties, the province everything. Every
admin view, API endpoint and search goes through ``visible_to``; nothing else decides.
``agency_visible_to`` is the same rule for one agency already in hand (loaded with its
ancestors), for a hot path that must not ask the database once per level of the tree.
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


# What ``agency_visible_to`` needs loaded with an agency: its ancestors (the tree is province,
# city, county: ``Agency.objects.select_related(AGENCY_ANCESTORS)``).
AGENCY_ANCESTORS = "parent__parent__parent"


def agency_visible_to(user: User | None, agency) -> bool:
    """Whether ``agency`` lies in the user's jurisdiction: the same answer as ``visible_to``
    (``agency.pk in user.visible_agency_ids``), found by walking up from ``agency`` instead of
    listing the agencies below the user's (one query per level). ``agency`` should be loaded
    with ``select_related(AGENCY_ANCESTORS)``; a deeper tree falls back to the long way."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.agency_id is None:
        return False
    node = agency
    for _level in range(4):
        if node.pk == user.agency_id:
            return True
        if node.parent_id is None:
            return False
        if _level < 3:
            node = node.parent
    visible = user.visible_agency_ids  # deeper than loaded: ask the long way
    return visible is None or agency.pk in visible
