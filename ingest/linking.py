"""Step 7: which household does this paper belong to?

A report or authorization number names its case, and so its household, outright. Resident IDs
point to households through their heads first, then their members. Only one answer files the
item; none or several send it to the review queue with the candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from archive.models import Case, Household, Member
from ingest.text import Found


@dataclass(frozen=True)
class LinkDecision:
    household_id: int | None
    candidates: tuple[int, ...]
    reason: str

    @property
    def linked(self) -> bool:
        return self.household_id is not None


def link(
    found: Found, *, agency_ids: Sequence[int] | None, named_household_id: int | None = None
) -> LinkDecision:
    """Decide the household; ``agency_ids`` limits the search to a jurisdiction (None: all)."""
    if named_household_id is not None:
        return LinkDecision(named_household_id, (named_household_id,), "来源指定了户")
    households = Household.objects.all()
    cases = Case.objects.all()
    members = Member.objects.all()
    if agency_ids is not None:
        households = households.filter(agency_id__in=agency_ids)
        cases = cases.filter(household__agency_id__in=agency_ids)
        members = members.filter(household__agency_id__in=agency_ids)

    numbers = Q(report_number__in=found.report_numbers) | Q(
        authorization_number__in=found.authorization_numbers
    )
    by_number = set(cases.filter(numbers).values_list("household_id", flat=True))
    by_number |= _households_of_report_items(found.report_numbers, agency_ids)
    if len(by_number) == 1:
        return LinkDecision(by_number.pop(), (), "报告编号或授权书编号对应唯一一户")

    by_head = set(
        households.filter(head_id_number__in=found.resident_ids).values_list("pk", flat=True)
    )
    if len(by_head) == 1 and not by_number - by_head:
        return LinkDecision(next(iter(by_head)), (), "户主身份证号对应唯一一户")

    by_member = set(
        members.filter(id_number__in=found.resident_ids).values_list("household_id", flat=True)
    )
    candidates = tuple(sorted(by_number | by_head | by_member))
    if len(candidates) == 1:
        return LinkDecision(candidates[0], (), "家庭成员身份证号对应唯一一户")
    if not candidates:
        reason = "未找到有效的身份证号或编号" if found.empty else "识别出的号码不属于辖区内任何一户"
        return LinkDecision(None, (), reason)
    return LinkDecision(None, candidates, f"号码对应 {len(candidates)} 户，需人工确认")


def _households_of_report_items(numbers: Sequence[str], agency_ids) -> set[int]:
    """Review reports (s/t) are filed as items with the report number as their 文号."""
    from archive.models import Item

    items = Item.objects.filter(document_number__in=numbers, household__isnull=False)
    if agency_ids is not None:
        items = items.filter(agency_id__in=agency_ids)
    return set(items.values_list("household_id", flat=True))
