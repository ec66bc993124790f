"""确认拆分: the archivist checks the split of an uncertain scanned stack and files its items.

Every page of the stack is a card with its thumbnail. The form carries, per page, its role
(``role-N``: ``start`` begins an item, ``cont`` continues the one before, ``sep`` is a separator
sheet that is not filed) and, on a page that begins an item, the household (``household-N``, a
suggested one, or ``other-N``, a head's resident ID), subtype (``subtype-N``) and, where the
pages print no date and the case gives none, the formation date (``date-N``). Without
JavaScript the role is a select on each page; the page's script turns it into buttons and
keeps the labels in step. The decision itself is scanning.split.confirm_split.

Permission as for a review decision (archive.change_item); items outside the jurisdiction
answer 404 (recorded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from archive import audit
from archive.masking import shown_id_number
from archive.models import File, Household, Item, Page, Subtype
from archive.scoping import can_see
from archive.views.access import AuditedAccessMixin, get_visible_or_deny, record_denied
from ingest.forms import NOT_FOUND, find_household
from ingest.review import subtypes_for_user
from scanning import split

ROLES = (("start", "新的一件从此页开始"), ("cont", "接上一页，同一件"), ("sep", "分隔页（不归档）"))
COLOURS = 6  # part colours cycle through hd-part--0..5


@dataclass
class PageState:
    number: int
    role: str = "cont"
    household: str = ""  # a household pk, as posted
    other: str = ""  # a head's resident ID typed in
    subtype: str = ""  # a subtype pk, as posted
    date: str = ""  # a formation date (YYYY-MM-DD), as posted; needed where none is printed
    part: int | None = None  # the item it falls in, 1-based, once numbered
    thumbnail: File | None = None
    text: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def colour(self) -> int:
        return (self.part - 1) % COLOURS if self.part else 0


def number_parts(pages: list[PageState]) -> None:
    """Number the items; a page continuing nothing (the first, or after a sheet) begins one,
    as the page after a separator sheet always does."""
    current = 0
    open_part = False
    for page in pages:
        if page.role == "sep":
            page.part, open_part = None, False
            continue
        if page.role != "start" and not open_part:
            page.role = "start"
        if page.role == "start":
            current += 1
            open_part = True
        page.part = current


def proposed_state(item: Item, total: int, user) -> list[PageState]:
    """The pages as the sheets propose them."""
    proposal = item.fields.get("proposed_split") or {}
    pages = [PageState(n) for n in range(1, total + 1)]
    for number in proposal.get("separators", []):
        if 1 <= number <= total:
            pages[number - 1].role = "sep"
    households = {
        h.head_id_number: h
        for h in Household.objects.visible_to(user).filter(
            head_id_number__in=[p["household"] for p in proposal.get("parts", []) if p["household"]]
        )
    }
    subtypes = {s.code: s for s in Subtype.objects.all()}
    for part in proposal.get("parts", []):
        first = part["first_page"]
        if not 1 <= first <= total or pages[first - 1].role == "sep" or first > part["last_page"]:
            continue  # a sheet with no pages after it begins nothing
        page = pages[first - 1]
        page.role = "start"
        household = households.get(part["household"] or "")
        if household is None and part["separator_page"] is None and item.household_id:
            household = item.household  # pages before the first sheet: what ingest linked
        page.household = str(household.pk) if household else ""
        subtype = subtypes.get(part["subtype"] or "")
        page.subtype = str(subtype.pk) if subtype else ""
    number_parts(pages)
    return pages


def posted_state(data, total: int) -> list[PageState]:
    roles = dict(ROLES)
    pages = []
    for n in range(1, total + 1):
        role = data.get(f"role-{n}", "")
        pages.append(
            PageState(
                n,
                role=role if role in roles else "cont",
                household=data.get(f"household-{n}", "").strip(),
                other=data.get(f"other-{n}", "").strip(),
                subtype=data.get(f"subtype-{n}", "").strip(),
                date=data.get(f"date-{n}", "").strip(),
            )
        )
    number_parts(pages)
    return pages


class _ReviewItem:
    """The item, as for a review decision; under AuditedAccessMixin, so a refusal is a 403."""

    def dispatch(self, request, *args, **kwargs):
        self.item = get_visible_or_deny(request, Item, kwargs["pk"], action="change")
        return super().dispatch(request, *args, **kwargs)


class SplitView(AuditedAccessMixin, _ReviewItem, WagtailAdminTemplateMixin, TemplateView):
    template_name = "scanning/split.html"
    header_icon = "doc-full"

    def get_page_title(self):
        return f"确认拆分：{self.item.title}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("ingest:review_queue"), "label": "待确认"},
            {"url": reverse("ingest:review", args=(self.item.pk,)), "label": self.item.title},
            {"url": "", "label": "确认拆分"},
        ]

    def _not_splittable(self, request):
        messages.info(request, f"该件已{self.item.get_status_display()}，没有待确认的拆分。")
        return redirect("archive_item:detail", pk=self.item.pk)

    def get(self, request, *args, **kwargs):
        if not split.splittable(self.item):
            return self._not_splittable(request)
        audit.record(audit.Action.VIEW, self.item, request=request, detail={"split": "opened"})
        pages = proposed_state(self.item, self._total(), request.user)
        return self.render_to_response(self.get_context_data(pages=pages))

    def post(self, request, *args, **kwargs):
        if not split.splittable(self.item):
            return self._not_splittable(request)
        pages = posted_state(request.POST, self._total())
        choices, errors = self._choices(pages)
        if not errors:
            excluded = [p.number for p in pages if p.role == "sep"]
            try:
                items = split.confirm_split(
                    self.item, choices, request.user, request, excluded=excluded
                )
            except split.SplitError as exc:
                errors.append(str(exc))
            else:
                numbers = "、".join(i.archive_number for i in items)
                messages.success(request, f"已拆分归档 {len(items)} 件：{numbers}")
                return redirect("archive_item:detail", pk=items[0].pk)
        context = self.get_context_data(pages=pages, errors=errors)
        return self.render_to_response(context, status=400)

    def _total(self) -> int:
        document = split.stack_document(self.item)
        return len(document.page_texts) if document else self.item.page_count

    def _choices(self, pages: list[PageState]) -> tuple[list[split.PartChoice], list[str]]:
        """Each item's pages, household and subtype; what cannot be read is an error."""
        user, errors, choices = self.request.user, [], []
        for start in (p for p in pages if p.role == "start"):
            members = [p.number for p in pages if p.part == start.part]
            household = None
            if start.other:
                try:
                    household, denied = find_household(user, start.other)
                except forms.ValidationError as exc:
                    start.errors.append(exc.messages[0])
                else:
                    if household is None:
                        start.errors.append(NOT_FOUND.format(start.other))
                        if denied is not None:
                            record_denied(
                                self.request, Household, denied, reason="out_of_scope_or_missing"
                            )
            elif start.household.isdigit():
                # Looked up unscoped: confirm_split refuses one outside the jurisdiction.
                household = Household.objects.filter(pk=int(start.household)).first()
                if household is not None and not can_see(user, household):
                    record_denied(
                        self.request, Household, household.pk, reason="out_of_scope_or_missing"
                    )
            subtype = (
                Subtype.objects.filter(pk=int(start.subtype)).first()
                if start.subtype.isdigit()
                else None
            )
            formation_date = None
            if start.date:
                try:
                    formation_date = dt.date.fromisoformat(start.date)
                except ValueError:
                    start.errors.append(f"形成日期「{start.date}」应为 年-月-日，如 2024-03-06")
            for message in start.errors:
                errors.append(f"第 {start.part} 件（第 {start.number} 页起）：{message}")
            choices.append(
                split.PartChoice(members[0], members[-1], household, subtype, formation_date)
            )
        return choices, errors

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, item = self.request.user, self.item
        pages: list[PageState] = kwargs["pages"]
        shots = {
            f.page_number: f
            for f in File.objects.visible_to(user)
            .filter(item=item, role=File.Role.THUMBNAIL)
            .order_by("page_number", "pk")
        }
        texts = dict(Page.objects.visible_to(user).filter(item=item).values_list("number", "text"))
        for page in pages:
            page.thumbnail = shots.get(page.number)
            page.text = texts.get(page.number, "")
        proposal = item.fields.get("proposed_split") or {}
        context.update(
            item=item,
            pages=pages,
            part_count=max([p.part or 0 for p in pages], default=0),
            problems=proposal.get("problems", []),
            errors=kwargs.get("errors", []),
            roles=ROLES,
            households=self._households(pages),
            subtypes=subtypes_for_user(user),
            document=split.stack_document(item),
        )
        return context

    def _households(self, pages: list[PageState]) -> list[dict]:
        """The households offered: those on the sheets, found in the text, or chosen."""
        item, user = self.item, self.request.user
        proposal = item.fields.get("proposed_split") or {}
        ids = [p["household"] for p in proposal.get("parts", []) if p.get("household")]
        ids += (item.fields.get("identifiers") or {}).get("resident_ids", [])
        pks = [int(c) for c in item.fields.get("candidates", []) if str(c).isdigit()]
        pks += [int(p.household) for p in pages if p.household.isdigit()]
        if item.household_id:
            pks.append(item.household_id)
        document = split.stack_document(item)
        queryset = Household.objects.visible_to(user).filter(
            Q(head_id_number__in=ids) | Q(pk__in=pks)
        )
        if document is not None:
            queryset = queryset.filter(agency_id__in=document.batch.agency.jurisdiction_ids())
        return [
            {
                "pk": str(h.pk),
                "label": f"{h.head_name}户（{shown_id_number(user, h.head_id_number)}，"
                f"{h.agency.name}）",
            }
            for h in queryset.select_related("agency").order_by("head_name", "pk")[:200]
        ]
