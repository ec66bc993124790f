"""Records a platform push creates or updates: the household with its members and obligors,
and the case (核对业务). Runs inside the filing transaction of push/platform.py; what it
did goes into ``summary``, the detail of the filing's one operation-log entry."""

from __future__ import annotations

from archive.models import Case, Household, Item, Member
from archive.validators import validate_no_bidi
from push.platform_rules import Push, Rejected
from search import service as search_service

HEAD_RELATION = "本人"


def upsert_household(spec: Push, summary: dict) -> tuple[Household, list[Member]]:
    """The household, locked or created, with its members after this push (in pk order, as
    ``household.members`` gives them: the pushed item's search document is built from
    them)."""
    # Locked when it exists; created otherwise. Two pushes creating the same household at
    # once: the second insert fails on the unique (agency, head) and the whole filing
    # transaction is retried (push/platform.py), when it finds and locks the first one's row.
    household = (
        Household.objects.select_for_update()
        .filter(agency=spec.agency, head_id_number=spec.head_id_number)
        .first()
    )
    created = household is None
    if created:
        household = Household.objects.create(
            agency=spec.agency,
            head_id_number=spec.head_id_number,
            head_name=spec.head_name,
            address=spec.address,
            phone=spec.phone,
        )
    else:
        changed = [
            attr
            for attr in ("head_name", "address", "phone")
            if getattr(spec, attr) and getattr(household, attr) != getattr(spec, attr)
        ]
        for attr in changed:
            setattr(household, attr, getattr(spec, attr))
        if changed:
            household.save(update_fields=[*changed, "updated_at"])
        summary["household_changed"] = changed
    summary["household"] = {"id": household.pk, "head": household.head_id_number}
    summary["household_created"] = created
    members = _members(household, spec, summary, created)
    return household, members


def _members(household: Household, spec: Push, summary: dict, created: bool) -> list[Member]:
    current = [] if created else list(household.members.all())
    by_id = {m.id_number: m for m in current if m.id_number}
    by_name = {(m.name, m.relation): m for m in current if not m.id_number}
    wanted = [(spec.head_name, spec.head_id_number, HEAD_RELATION, True)]
    wanted += [(m.name, m.id_number, m.relation, m.co_resident) for m in spec.members]
    added: list[Member] = []
    for name, id_number, relation, co_resident in wanted:
        if id_number == spec.head_id_number and (name, relation) != (spec.head_name, HEAD_RELATION):
            continue  # the head listed again among the members
        member = by_id.get(id_number) if id_number else by_name.get((name, relation))
        if member is None:
            validate_no_bidi(name)  # what Member's pre_save check does; bulk_create skips it
            member = Member(
                household=household,
                name=name,
                id_number=id_number,
                relation=relation,
                co_resident=co_resident,
            )
            added.append(member)
            if id_number:
                by_id[id_number] = member
            else:
                by_name[(name, relation)] = member
            continue
        new = {"name": name, "relation": relation or member.relation, "co_resident": co_resident}
        changed = [k for k, v in new.items() if getattr(member, k) != v]
        if changed:
            for k in changed:
                setattr(member, k, new[k])
            member.save(update_fields=changed)
            summary.setdefault("members_changed", []).append(member.pk)
    if added:
        # One insert for the new members. bulk_create sends no post_save: the operation log
        # has the filing's one entry anyway (its per-row entries are suppressed), and the
        # search index of the household's filed items is brought up to date here (the new
        # item is indexed when it is filed).
        Member.objects.bulk_create(added)
        summary["members_added"] = [m.pk for m in added]
        if not created:
            filed = Item.objects.filter(household=household, archive_number__isnull=False)
            search_service.update_items(filed.values_list("pk", flat=True))
    # The household row is locked, so these are all its members; the new ones were
    # inserted last, so their pks come after the others'.
    return current + added


def upsert_case(spec: Push, household: Household, summary: dict) -> Case | None:
    case = _find_or_create_case(spec, household, summary)
    if case is not None:
        summary["case"] = case.pk
    return case


def _find_or_create_case(spec: Push, household: Household, summary: dict) -> Case | None:
    case_spec = spec.case
    if case_spec is None:
        return None
    if case_spec.existing_case_id is not None:
        return Case.objects.get(pk=case_spec.existing_case_id)
    case = None
    if case_spec.report_number:
        case = Case.objects.filter(report_number=case_spec.report_number).first()
    # A household created by this push has no case yet: nothing to find by its authorization.
    if case is None and case_spec.authorization_number and not summary.get("household_created"):
        case = (
            Case.objects.filter(
                household=household, authorization_number=case_spec.authorization_number
            )
            .filter(report_number__in=["", case_spec.report_number])
            .first()
        )
    if case is None:
        return Case.objects.create(
            household=household,
            agency=spec.agency,
            business_type=case_spec.business_type,
            authorization_number=case_spec.authorization_number,
            report_number=case_spec.report_number,
            entrusting_unit=case_spec.entrusting_unit,
            reported_on=case_spec.reported_on,
        )
    if case.household_id != household.pk:
        raise Rejected(
            409, "conflict", "该报告编号已属于另一户的核对业务，未作任何改动", "report_number"
        )
    updates = {
        "report_number": case_spec.report_number,
        "authorization_number": case_spec.authorization_number,
        "entrusting_unit": case_spec.entrusting_unit,
        "reported_on": case_spec.reported_on,
    }
    changed = [k for k, v in updates.items() if v and not getattr(case, k)]
    for k in changed:
        setattr(case, k, updates[k])
    if changed:
        case.save(update_fields=changed)
    return case
