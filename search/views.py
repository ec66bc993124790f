"""检索: the staff search page, and the request parsing and audit shared with the API.

The page and ``GET /api/v1/search`` (search/api.py) run the same service call
(``search.service.search``) on the same parameters, mask the head of household's ID the same
way and write the same operation-log entry (Action.VIEW, object_type "search").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from archive import audit
from archive.categories import BUSINESS_TYPES, Category
from archive.forms import visible_agencies
from archive.masking import shown_id_number
from archive.models import Household, Item, Subtype
from archive.views.access import AuditedAccessMixin, require_permission
from search.service import SearchResult, search

PAGE_SIZE = 20
MAX_PAGE = 10_000 // PAGE_SIZE
FILTERS = ("category", "subtype", "business_type", "year", "region")
YEAR_RANGE = (1900, 2100)


class InvalidParameter(ValueError):
    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


@dataclass
class SearchParams:
    query: str = ""
    filters: dict = field(default_factory=dict)  # only the filters that were given

    @property
    def year(self) -> int | None:
        return self.filters.get("year")


# The Chinese name of each integer parameter, for the error message the user reads.
PARAM_LABELS = {"year": "形成年度", "p": "页码", "page": "页码", "limit": "每页条数"}


def int_param(params, name: str, low: int, high: int | None = None) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    label = PARAM_LABELS.get(name, name)
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(name, "invalid", f"{label}应为整数") from None
    if value < low or (high is not None and value > high):
        bound = f"{low}–{high}" if high is not None else f"不小于 {low}"
        raise InvalidParameter(name, "out_of_range", f"{label}超出范围（{bound}）")
    return value


def parse_params(params) -> SearchParams:
    """Query and filters from a QueryDict; raises InvalidParameter for a malformed value."""
    query = (params.get("q") or "").strip()
    filters: dict = {}
    for name in ("category", "subtype", "business_type", "region"):
        value = (params.get(name) or "").strip()
        if value:
            filters[name] = value
    category = filters.get("category")
    if category and category not in Category.values:
        raise InvalidParameter(
            "category", "invalid_choice", "category 应为 " + "、".join(Category.values)
        )
    business_type = filters.get("business_type")
    if business_type:
        filters["business_type"] = business_type = business_type.lower()
        if business_type not in BUSINESS_TYPES:
            raise InvalidParameter("business_type", "invalid_choice", "未知的核对项目代码")
    year = int_param(params, "year", *YEAR_RANGE)
    if year is not None:
        filters["year"] = year
    return SearchParams(query, filters)


def run_search(request, params: SearchParams, *, limit: int, offset: int) -> SearchResult:
    """The service call, and its operation-log entry (inspectors read these)."""
    result = search(params.query, request.user, limit=limit, offset=offset, **params.filters)
    audit.record(
        audit.Action.VIEW,
        request=request,
        object_type="search",
        object_repr=params.query[:200],
        detail={
            "query": params.query,
            "filters": params.filters,
            "total": result.total,
            "total_exact": result.total_exact,
            "offset": offset,
            "limit": limit,
            "path": request.path,
        },
    )
    return result


def masked_hit(user, hit) -> dict:
    """A hit as in docs/contracts.md, the household ID as this user may see it."""
    out = hit.as_dict()
    out["household"] = shown_id_number(user, hit.household)
    return out


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


def _subtype_choices(user):
    agencies = visible_agencies(user).values_list("pk", flat=True)
    qs = Subtype.objects.filter(Q(agency__isnull=True) | Q(agency__in=agencies))
    return [(s.name, f"{Category(s.category).label} · {s.name}") for s in qs]


class SearchView(AuditedAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "search/search.html"
    page_title = "检索"
    header_icon = "search"

    def get(self, request, *args, **kwargs):
        require_permission(request, Item, "view")
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [{"url": "", "label": "检索"}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        user = request.user
        error = None
        try:
            params = parse_params(request.GET)
        except InvalidParameter as exc:
            params, error = SearchParams(query=(request.GET.get("q") or "").strip()), exc.message
        try:
            page = int_param(request.GET, "p", 1, MAX_PAGE) or 1
        except InvalidParameter:
            page = 1
        context.update(
            query=params.query,
            filters=params.filters,
            error=error,
            categories=Category.choices,
            subtypes=_subtype_choices(user),
            business_types=sorted(BUSINESS_TYPES.items()),
            regions=visible_agencies(user),
            searched=False,
        )
        if not params.query or error:
            return context
        result = run_search(request, params, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        context.update(
            searched=True,
            result=result,
            rows=_rows(user, result),
            facets=_facets(params, result),
            active=_active_filters(params),
            pages=_pages(params, result, page),
        )
        return context


def _url(query: str, filters: dict, **changes) -> str:
    values = {"q": query, **filters, **changes}
    return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _rows(user, result: SearchResult) -> list[dict]:
    items = {
        i.pk: i
        for i in Item.objects.visible_to(user)
        .filter(pk__in=[h.item_id for h in result.hits])
        .select_related("household")
    }
    # The household each hit names (for a 花名册, the one that matched, not the item's own).
    named = Household.objects.visible_to(user).in_bulk(
        {h.household_id for h in result.hits if h.household_id}
    )
    rows = []
    for hit in result.hits:
        item = items.get(hit.item_id)
        household = named.get(hit.household_id) if item else None
        rows.append(
            {
                "hit": hit,
                "item_pk": item.pk if item else None,
                "household": household or (item.household if item else None),
                "household_id": shown_id_number(user, hit.household),
                "category_label": Category(hit.category).label
                if hit.category in Category.values
                else hit.category,
            }
        )
    return rows


FACET_TITLES = {
    "category": "材料类别",
    "subtype": "子类",
    "business_type": "核对项目",
    "year": "年度",
    "region": "区划",
}


def _facets(params: SearchParams, result: SearchResult) -> list[dict]:
    out = []
    for name, title in FACET_TITLES.items():
        values = result.facets.get(name) or ()
        if not values:
            continue
        current = str(params.filters.get(name, ""))
        entries = []
        for v in values:
            selectable = bool(v.value)
            entries.append(
                {
                    "label": v.label,
                    "count": v.count,
                    "active": selectable and v.value == current,
                    "url": _url(params.query, params.filters, **{name: v.value, "p": None})
                    if selectable
                    else None,
                }
            )
        out.append({"name": name, "title": title, "values": entries})
    return out


def _active_filters(params: SearchParams) -> list[dict]:
    out = []
    for name in FILTERS:
        if name in params.filters:
            rest = {k: v for k, v in params.filters.items() if k != name}
            out.append(
                {
                    "title": FACET_TITLES[name],
                    "value": params.filters[name],
                    "remove_url": _url(params.query, rest),
                }
            )
    return out


def _pages(params: SearchParams, result: SearchResult, page: int) -> dict:
    count = max(1, -(-result.total // PAGE_SIZE))
    count = min(count, MAX_PAGE)
    return {
        "number": page,
        "count": count,
        "first": (page - 1) * PAGE_SIZE + 1 if result.hits else 0,
        "last": (page - 1) * PAGE_SIZE + len(result.hits),
        "previous": _url(params.query, params.filters, p=page - 1) if page > 1 else None,
        "next": _url(params.query, params.filters, p=page + 1) if page < count else None,
    }
