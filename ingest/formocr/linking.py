"""Linking by extracted form fields: a 花名册 lists several households, and its item is
linked to each of them (``ItemHousehold``); the item itself is filed under the first."""

from __future__ import annotations

from collections.abc import Sequence

from archive import identifiers
from archive.models import Household, Item
from ingest.linking import LinkDecision
from ingest.models import ItemHousehold


def roster_ids(form: dict) -> list[str]:
    """Valid head IDs of the households a form lists, in order (a roster's or the rows')."""
    fields = form.get("fields", {}) if form else {}
    rows = fields.get("roster") or []
    out = []
    for row in rows:
        number = str(row.get("head_id") or "")
        if identifiers.is_valid_resident_id(number) and number not in out:
            out.append(number)
    return out


def roster_households(form: dict, agency_ids: Sequence[int] | None) -> list[int]:
    ids = roster_ids(form)
    if not ids:
        return []
    households = Household.objects.filter(head_id_number__in=ids)
    if agency_ids is not None:
        households = households.filter(agency_id__in=agency_ids)
    by_id = dict(households.values_list("head_id_number", "pk"))
    return [by_id[i] for i in ids if i in by_id]


def roster_decision(form: dict, agency_ids: Sequence[int] | None) -> LinkDecision | None:
    """Several listed households: file under the first, list all. None: not a roster."""
    found = roster_households(form, agency_ids)
    if len(roster_ids(form)) < 2 or not found:
        return None
    return LinkDecision(
        found[0],
        tuple(found),
        f"花名册列出 {len(roster_ids(form))} 户，件关联到其中 {len(found)} 户",
    )


def link_listed(item: Item, household_ids: Sequence[int]) -> None:
    ItemHousehold.objects.bulk_create(
        [
            ItemHousehold(item=item, household_id=h, role=ItemHousehold.Role.ROSTER)
            for h in household_ids
        ],
        ignore_conflicts=True,
    )
