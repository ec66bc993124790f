"""到期鉴定: what falls due per year (chart), the pending due list per household, and the
appraisal of one household's due items together."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from archive import audit
from archive.models import Household
from archive.views.access import get_visible_or_deny
from retention import queries
from retention.appraisal import AppraisalError, Choice, appraise, pending_entries
from retention.holds import held_sets
from retention.views.common import RetentionView, household_label


class DueIndexView(RetentionView):
    template_name = "retention/due_index.html"
    page_title = "到期鉴定"

    def get(self, request, *args, **kwargs):
        audit.record(
            audit.Action.VIEW,
            request=request,
            object_type="retention.DueEntry",
            object_repr="到期鉴定清单",
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        per_year = queries.due_per_year(user)
        held = held_sets()
        groups = []
        for entries in queries.pending_by_household(user).values():
            household = entries[0].item.household
            for e in entries:
                e.hold = held.reason(e.item_id, e.item.household_id, e.item.case_id)
            groups.append(
                {
                    "household": household,
                    "label": household_label(user, household),
                    "entries": entries,
                    "url": reverse("retention:appraise", args=(household.pk,)) if household else "",
                }
            )
        context.update(
            chart=queries.chart_svg(per_year),
            per_year=per_year,
            groups=groups,
            may_appraise=user.has_perm("retention.appraise_item"),
            kept=queries.kept_decisions(user),
        )
        return context


class AppraiseView(RetentionView):
    template_name = "retention/appraise.html"
    permission = "retention.appraise_item"
    crumbs = (("retention:index", "到期鉴定"),)

    model = Household

    def load(self, request, **kwargs) -> None:
        self.household = get_visible_or_deny(request, Household, kwargs["pk"])

    def get_page_title(self):
        return f"鉴定：{self.household.head_name}户"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        held = held_sets()
        entries = list(pending_entries(self.household).order_by("due_on", "item__archive_number"))
        for e in entries:
            e.hold = held.reason(e.item_id, e.item.household_id, e.item.case_id)
        context.update(
            household=self.household,
            label=household_label(self.request.user, self.household),
            entries=entries,
            post=self.request.POST if self.request.method == "POST" else {},
        )
        return context

    def post(self, request, *args, **kwargs):
        entries = list(pending_entries(self.household))
        choices = []
        for e in entries:
            decision = request.POST.get(f"decision-{e.item_id}", "")
            years = request.POST.get(f"years-{e.item_id}", "").strip()
            try:
                extra = int(years) if years else None
            except ValueError:
                extra = -1
            choices.append(Choice(e.item, decision, extra))
        try:
            appraise(
                self.household,
                choices,
                appraisers=request.POST.get("appraisers", ""),
                reason=request.POST.get("reason", ""),
                user=request.user,
                request=request,
            )
        except AppraisalError as exc:
            messages.error(request, str(exc))
            return self.get(request, *args, **kwargs)
        messages.success(
            request, f"已完成 {self.household.head_name}户 {len(choices)} 件档案的鉴定"
        )
        return redirect("retention:index")
