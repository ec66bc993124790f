"""What a platform push must agree with before anything is stored.

Turns validated metadata (push/api/platform_serializers.py) into a frozen :class:`Push`:
the report number's parts agree with the metadata (issuing region inside the caller's
jurisdiction, year and month with ``issued_on``, business code, nature), a review report
(nature ``s``/``t``) follows an earlier report of the same household, a material's subtype
belongs to its category. Every refusal is a :class:`Rejected` with an HTTP status, a code,
a Chinese message and the field at fault.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.utils import timezone

from archive.identifiers import parse_authorization_number, parse_report_number
from archive.models import Agency, Case, Household, Item, Subtype
from archive.scoping import AGENCY_ANCESTORS, agency_visible_to

REPORT_SUBTYPE = {"f": "HDB", "s": "FHB", "t": "FHB"}  # 核对报告 / 复核核对报告
EARLIER_NATURE = {"s": ("f",), "t": ("s",)}
AUTHORIZATION_SUBTYPE = "SQS"  # 核对授权书


class Rejected(Exception):
    """A push refused before anything is stored."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class MemberData:
    name: str
    id_number: str
    relation: str
    co_resident: bool


@dataclass(frozen=True)
class CaseSpec:
    business_type: str
    report_number: str = ""  # a first report's number: the case's own key
    authorization_number: str = ""
    entrusting_unit: str = ""
    reported_on: dt.date | None = None
    existing_case_id: int | None = None  # a review report joins its earlier report's case


@dataclass(frozen=True)
class Push:
    kind: str  # "report" or "material"
    key: str  # the idempotency key (unique in PlatformReceipt)
    agency: Agency  # the agency that keeps the item
    subtype: Subtype
    title: str
    document_number: str
    responsible: str
    formation_date: dt.date
    head_name: str
    head_id_number: str
    address: str
    phone: str
    members: tuple[MemberData, ...]
    case: CaseSpec | None
    fields: dict = field(default_factory=dict)

    @property
    def category(self) -> str:
        return self.subtype.category


def _members(household: dict) -> tuple[MemberData, ...]:
    out = []
    for group, co_default in (("members", True), ("obligors", False)):
        for m in household.get(group, []):
            co_resident = m.get("co_resident", True) if group == "members" else co_default
            out.append(
                MemberData(m["name"], m.get("id_number", ""), m.get("relation", ""), co_resident)
            )
    return tuple(out)


def _with_ancestors(agency_ids: set[int]) -> dict[int, Agency]:
    """The agencies, each loaded with its ancestors (no query for none)."""
    if not agency_ids:
        return {}
    return {
        a.pk: a for a in Agency.objects.select_related(AGENCY_ANCESTORS).filter(pk__in=agency_ids)
    }


def _agency_in_jurisdiction(user, region_code: str, field: str) -> Agency:
    agency = Agency.objects.select_related(AGENCY_ANCESTORS).filter(region_code=region_code).first()
    if agency is None or agency.statistical_only:
        raise Rejected(422, "unknown_region", f"地区代码 {region_code} 不是已登记的核对机构", field)
    if not agency_visible_to(user, agency):
        raise Rejected(
            403,
            "out_of_jurisdiction",
            f"地区 {region_code}（{agency.name}）不在本令牌的辖区内",
            field,
        )
    return agency


def _household_in_jurisdiction(
    user, head_id: str, agency: Agency | None = None
) -> Household | None:
    """The caller's household with this head (in ``agency`` when given). One in another
    county is never named: the push goes on as for an unknown head (the county files its
    own), and the match is logged as ``denied`` for the security officers."""
    # One query for every county's household of this head, sorted out here by jurisdiction.
    candidates = list(
        Household.objects.filter(head_id_number=head_id).order_by("-updated_at", "pk")
    )
    agencies = _with_ancestors({h.agency_id for h in candidates})  # none for a new head
    seen = {h.pk: agency_visible_to(user, agencies[h.agency_id]) for h in candidates}
    mine = [h for h in candidates if seen[h.pk]]
    if agency is not None:
        mine = [h for h in mine if h.agency_id == agency.pk]
    existing = mine[0] if mine else None
    if existing is None:
        foreign = [h for h in candidates if not seen[h.pk]]
        if foreign:
            hidden = foreign[0]
            from archive import audit

            audit.record(
                audit.Action.DENIED,
                hidden,
                user=user,
                object_repr="其他辖区的户（未告知调用方）",
                detail={"reason": "cross_jurisdiction_match", "via": "platform_push"},
            )
    return existing


def _check_dates(formed: dt.date, field: str) -> None:
    if formed > timezone.localdate():
        raise Rejected(422, "future_date", f"日期 {formed.isoformat()} 晚于今天", field)


def report_push(user, meta: dict) -> Push:
    rn = parse_report_number(meta["report_number"])
    issued: dt.date = meta["issued_on"]
    _check_dates(issued, "issued_on")
    if (issued.year, issued.month) != (rn.year, rn.month):
        raise Rejected(
            422,
            "issued_on_mismatch",
            f"出具日期 {issued.isoformat()} 与报告编号中的年月 {rn.year}-{rn.month:02d} 不一致",
            "issued_on",
        )
    business = meta.get("business_type") or rn.business_code
    if business != rn.business_code:
        raise Rejected(
            422,
            "business_type_mismatch",
            f"核对项目 {business} 与报告编号中的业务代码 {rn.business_code} 不一致",
            "business_type",
        )
    if meta.get("nature") and meta["nature"] != rn.nature:
        raise Rejected(
            422,
            "nature_mismatch",
            f"报告性质 {meta['nature']} 与报告编号中的性质代码 {rn.nature} 不一致",
            "nature",
        )
    agency = _agency_in_jurisdiction(user, rn.region_code, "report_number")
    auth = meta.get("authorization_number", "")
    if auth:
        an = parse_authorization_number(auth)
        if an.region_code != rn.region_code:  # the same region was checked just above
            _agency_in_jurisdiction(user, an.region_code, "authorization_number")
        if an.year > issued.year:
            raise Rejected(
                422,
                "authorization_after_report",
                f"授权书年份 {an.year} 晚于报告出具年份 {issued.year}",
                "authorization_number",
            )
    head = meta["household"]["head"]
    existing = _household_in_jurisdiction(user, head["id_number"], agency)
    clash = (
        Item.objects.filter(category="report", document_number=rn.value)
        .exclude(platform_receipts__isnull=False)
        .values_list("agency_id", flat=True)
    )
    if any(agency_visible_to(user, a) for a in _with_ancestors(set(clash)).values()):
        raise Rejected(
            409,
            "report_exists",
            f"报告编号 {rn.value} 已有其他来源（如纸质扫描）的归档件，请档案管理员核对",
            "report_number",
        )
    case = CaseSpec(
        business_type=business,
        report_number=rn.value if rn.nature == "f" else "",
        authorization_number=auth,
        entrusting_unit=meta.get("entrusting_unit", ""),
        reported_on=issued,
    )
    if rn.nature in EARLIER_NATURE:
        earlier = _earlier_report(existing, rn, issued)
        case = replace(case, existing_case_id=earlier.case_id)
    subtype = Subtype.objects.get(code=REPORT_SUBTYPE[rn.nature])
    title = meta.get("title") or f"{head['name']}户{rn.business_name}{subtype.name}"
    return Push(
        kind="report",
        key=f"report:{rn.value}",
        agency=agency,
        subtype=subtype,
        title=title,
        document_number=rn.value,
        responsible=agency.name,
        formation_date=issued,
        head_name=head["name"],
        head_id_number=head["id_number"],
        address=meta["household"].get("address", ""),
        phone=meta["household"].get("phone", ""),
        members=_members(meta["household"]),
        case=case,
        fields=_jsonable(meta),
    )


def _earlier_report(household: Household | None, rn, issued: dt.date) -> Item:
    wanted = EARLIER_NATURE[rn.nature]
    names = "、".join(f"{n}（{'首次报告' if n == 'f' else '复核报告'}）" for n in wanted)
    candidates = (
        Item.objects.filter(household=household, category="report", formation_date__lte=issued)
        .exclude(document_number="")
        .order_by("formation_date", "pk")
        if household is not None
        else []
    )
    for item in candidates:
        try:
            parsed = parse_report_number(item.document_number)
        except ValueError:
            continue
        if parsed.nature in wanted and parsed.business_code == rn.business_code:
            return item
    raise Rejected(
        422,
        "no_earlier_report",
        f"性质为 {rn.nature} 的报告须以同一户此前的 {names} 报告为前提，未找到",
        "report_number",
    )


def material_push(user, token_agency: Agency | None, meta: dict, sha256: str) -> Push:
    formed: dt.date = meta["formed_on"]
    _check_dates(formed, "formed_on")
    subtype = _subtype(user, meta["category"], meta["subtype"])
    auth = meta.get("authorization_number", "")
    report = meta.get("report_number", "")
    if subtype.code == AUTHORIZATION_SUBTYPE and not auth:
        raise Rejected(400, "required", "核对授权书须给出授权书编号", "authorization_number")
    region = meta.get("region_code") or ""
    if not region and auth:
        region = parse_authorization_number(auth).region_code
    if not region and report:
        region = parse_report_number(report).region_code
    if region:
        agency = _agency_in_jurisdiction(user, region, "region_code")
    elif token_agency is not None:
        agency = token_agency
    else:
        raise Rejected(400, "required", "请给出保存本件的核对机构（region_code）", "region_code")
    if auth:
        _agency_in_jurisdiction(
            user, parse_authorization_number(auth).region_code, "authorization_number"
        )
    head = meta["household"]["head"]
    existing = _household_in_jurisdiction(user, head["id_number"], agency)
    case = _material_case(existing, meta, report, auth)
    document_number = meta.get("document_number") or auth
    # Scoped to the keeping agency and the household: another county's push of the same
    # number is a different material and never replays (or names) this one.
    scope = f"{agency.region_code}:{head['id_number']}"
    if document_number:
        key = f"material:{scope}:{subtype.code}:{document_number}"
    else:
        key = f"material:{scope}:{subtype.code}:{sha256}"
    return Push(
        kind="material",
        key=key[:200],
        agency=agency,
        subtype=subtype,
        title=meta.get("title") or f"{head['name']}户{subtype.name}",
        document_number=document_number,
        responsible=meta.get("responsible") or meta.get("entrusting_unit") or agency.name,
        formation_date=formed,
        head_name=head["name"],
        head_id_number=head["id_number"],
        address=meta["household"].get("address", ""),
        phone=meta["household"].get("phone", ""),
        members=_members(meta["household"]),
        case=case,
        fields=_jsonable(meta),
    )


def _subtype(user, category: str, value: str) -> Subtype:
    value = value.strip()
    visible = user.visible_agency_ids
    candidates = Subtype.objects.filter(category=category)
    if visible is not None:
        candidates = candidates.filter(agency__isnull=True) | candidates.filter(
            agency_id__in=visible
        )
    subtype = candidates.filter(name=value).first() or candidates.filter(code=value.upper()).first()
    if subtype is None:
        raise Rejected(422, "subtype", f"类别 {category} 中没有子类「{value}」", "subtype")
    return subtype


def _material_case(household, meta: dict, report: str, auth: str) -> CaseSpec | None:
    if report:
        case = Case.objects.filter(report_number=report).first()
        if case is None:
            item = Item.objects.filter(category="report", document_number=report).first()
            case = item.case if item is not None else None
        if case is None or household is None or case.household_id != household.pk:
            raise Rejected(
                422, "unknown_report", f"该户没有编号为 {report} 的核对报告", "report_number"
            )
        return CaseSpec(business_type=case.business_type, existing_case_id=case.pk)
    if auth:
        business = meta.get("business_type") or ""
        if household is not None:
            case = Case.objects.filter(household=household, authorization_number=auth).first()
            if case is not None:
                return CaseSpec(business_type=case.business_type, existing_case_id=case.pk)
        if not business:
            raise Rejected(
                400, "required", "新的核对业务须给出核对项目代码 business_type", "business_type"
            )
        return CaseSpec(
            business_type=business,
            authorization_number=auth,
            entrusting_unit=meta.get("entrusting_unit", ""),
        )
    return None


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
