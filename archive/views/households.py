"""户: the households list, a household's page, and the household and member forms."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, NumberColumn
from wagtail.admin.widgets.button import HeaderButton

from archive import identifiers
from archive.categories import Category
from archive.forms import visible_agencies
from archive.masking import may_see_full_ids, shown_id_number
from archive.models import Agency, Case, Household, Item, Member
from archive.views.access import get_visible_or_deny
from archive.views.generic import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedEditView,
    ScopedIndexView,
)
from archive.views.hooks import extra_buttons


def agencies_for(request):
    if request is None:
        return Agency.objects.none()
    return visible_agencies(request.user)


class HouseholdFilterSet(WagtailFilterSet):
    agency = django_filters.ModelChoiceFilter(
        label="管辖机构", queryset=agencies_for, empty_label="全部"
    )

    class Meta:
        model = Household
        fields = ["agency"]


def household_url(household) -> str:
    return reverse("archive_household:detail", args=(household.pk,))


class HouseholdIndexView(ScopedIndexView):
    page_title = "户"

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("agency")
            .annotate(
                member_count=Count("members", distinct=True),
                item_count=Count("items", distinct=True),
            )
        )

    def search_queryset(self, queryset):
        """Name or ID, of the head or of any member.

        A user who may not see whole IDs finds a household only by the whole ID, so masked
        digits cannot be recovered by trying prefixes in the search box.
        """
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        members = Member.objects.visible_to(self.request.user).filter(household=OuterRef("pk"))
        by_name = Q(head_name__icontains=query) | Q(Exists(members.filter(name__icontains=query)))
        if may_see_full_ids(self.request.user):
            by_id = Q(head_id_number__icontains=query) | Q(
                Exists(members.filter(id_number__icontains=query))
            )
        else:
            whole = identifiers.normalize_width(query).upper()
            by_id = Q(head_id_number=whole) | Q(Exists(members.filter(id_number=whole)))
        return queryset.filter(by_name | by_id)

    @cached_property
    def columns(self):
        user = self.request.user
        return [
            self.title_column("head_name", "户主姓名", sort_key="head_name"),
            Column(
                "head_id_number",
                label="户主身份证号",
                accessor=lambda h: shown_id_number(user, h.head_id_number),
            ),
            Column(
                "agency", label="管辖机构", accessor="agency.name", sort_key="agency__region_code"
            ),
            NumberColumn("member_count", label="成员数", sort_key="member_count"),
            NumberColumn("item_count", label="件数", sort_key="item_count"),
            DateColumn("updated_at", label="更新时间", sort_key="updated_at"),
        ]


class HouseholdCreateView(ScopedCreateView):
    page_title = "新增"

    def get_success_url(self):
        return household_url(self.object)


class HouseholdEditView(ScopedEditView):
    def get_success_url(self):
        return household_url(self.object)


class HouseholdDetailView(ScopedDetailView):
    model = Household
    template_name = "archive/household_detail.html"

    def get_page_title(self):
        return f"{self.object.head_name}户"

    @cached_property
    def header_buttons(self):
        user = self.request.user
        buttons = []
        if user.has_perm("archive.change_household"):
            url = reverse("archive_household:edit", args=(self.object.pk,))
            buttons.append(HeaderButton("编辑户信息", url=url, icon_name="edit"))
        if user.has_perm("archive.add_member"):
            url = reverse("archive_member:add") + f"?household={self.object.pk}"
            buttons.append(HeaderButton("添加成员", url=url, icon_name="plus"))
        return buttons + extra_buttons("hedang_household_buttons", self.request, self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        household = self.object
        items = (
            Item.objects.visible_to(user)
            .filter(household=household)
            .select_related("subtype")
            .order_by("item_number", "formation_date", "pk")
        )
        by_category: dict[str, list] = {c.value: [] for c in Category}
        for item in items:
            by_category.setdefault(item.category, []).append(item)
        context.update(
            household=household,
            head_id=shown_id_number(user, household.head_id_number),
            members=Member.objects.visible_to(user).filter(household=household),
            cases=Case.objects.visible_to(user)
            .filter(household=household)
            .order_by("accepted_on", "pk"),
            sections=[
                {
                    "code": c.value,
                    "label": c.label,
                    "heading": f"{c.label}（{len(by_category[c.value])} 件）",
                    "items": by_category[c.value],
                }
                for c in Category
            ],
            item_count=len(items),
            can_change_member=user.has_perm("archive.change_member"),
        )
        return context


class MemberIndexView(ScopedIndexView):
    page_title = "家庭成员"

    def get_add_url(self):
        return None  # members are added from their household's page

    @cached_property
    def columns(self):
        user = self.request.user
        return [
            Column("name", label="姓名", accessor="name", sort_key="name"),
            Column(
                "id_number", label="身份证号", accessor=lambda m: shown_id_number(user, m.id_number)
            ),
            Column("household", label="户", accessor="household"),
            Column("relation", label="与户主关系", accessor="relation"),
        ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("household")


class _MemberOfHousehold:
    """Member forms live under their household: breadcrumbs and return there."""

    def household_crumbs(self, household, label):
        return self.breadcrumbs_items + [
            {"url": reverse("archive_household:index"), "label": "户"},
            {"url": household_url(household), "label": f"{household.head_name}户"},
            {"url": "", "label": label},
        ]


class MemberCreateView(_MemberOfHousehold, ScopedCreateView):
    page_title = "添加成员"

    @cached_property
    def household(self):
        pk = self.request.GET.get("household")
        if not pk:
            raise Http404("请从户的页面添加成员")
        return get_visible_or_deny(self.request, Household, pk)

    def get_initial_form_instance(self):
        return Member(household=self.household)

    def get_add_url(self):
        return f"{reverse(self.add_url_name)}?household={self.household.pk}"

    def get_success_url(self):
        return household_url(self.household)

    def get_breadcrumbs_items(self):
        return self.household_crumbs(self.household, "添加成员")


class MemberEditView(_MemberOfHousehold, ScopedEditView):
    def get_success_url(self):
        return household_url(self.object.household)

    def get_breadcrumbs_items(self):
        return self.household_crumbs(self.object.household, f"编辑成员：{self.object.name}")
