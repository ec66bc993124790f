"""Resident IDs are masked for every role that does not need them in full."""

from __future__ import annotations

from archive.identifiers import mask_resident_id

FULL_ID_PERMISSION = "archive.view_full_id_number"


def may_see_full_ids(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(FULL_ID_PERMISSION))


def shown_id_number(user, value: str) -> str:
    """The ID as this user may see it: whole, or as 420102********1234."""
    if not value or may_see_full_ids(user):
        return value
    return mask_resident_id(value)
