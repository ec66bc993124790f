"""监督检查 (read-only): loans by period and agency, overdue, open incidents, most-read
households, refused accesses and reading outside working hours, with SVG charts and
drill-down to the entries. Everything is limited to the inspector's jurisdiction."""

from __future__ import annotations

from archive.api.fields import visible_agencies
from archive.masking import shown_id_number
from archive.models import Household
from loans import inspection
from loans.charts import ALERT, bar_chart
from loans.models import ReadingEvent
from loans.queries import loans_for, visible_agency
from loans.services import LoanRefused
from loans.views.common import LoansPage


def _params(request) -> dict:
    return {k: request.GET.get(k) for k in ("from", "to", "agency") if request.GET.get(k)}


class InspectView(LoansPage):
    template_name = "loans/inspect.html"
    page_title = "借阅监督检查"
    header_icon = "view"
    permission = "inspect_loans"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        params = _params(self.request)
        context.update(
            agencies=visible_agencies(user).order_by("region_code"),
            query="&".join(f"{k}={v}" for k, v in params.items()),
        )
        try:
            loans, span, agency = loans_for(user, params, default_days=90)
        except LoanRefused as refusal:
            context["error"] = refusal.message
            return context
        data = inspection.summary(user, loans, span, agency)
        context.update(
            span=span,
            agency=agency,
            data=data,
            households=[
                (h, shown_id_number(user, h.head_id_number) if h else "", n)
                for h, n in data["households"]
            ],
            chart_agency=bar_chart([(r, n) for _, n, _, r in data["by_agency"]], "各机构借阅单数"),
            chart_dates=bar_chart(
                data["by_date"][-24:], "各月借阅单数" if data["monthly"] else "各日借阅单数"
            ),
            chart_status=bar_chart([(s, n) for s, n, _ in data["by_status"]], "借阅单状态"),
            chart_households=bar_chart(
                [(f"{h.head_name}户" if h else "—", n) for h, n in data["households"]],
                "阅览次数最多的户",
            ),
            chart_alerts=bar_chart(
                [
                    ("逾期未还", len(data["overdue"])),
                    ("异常待处理", len(data["incidents"])),
                    ("拒绝访问", len(data["refused"])),
                    ("工作时间外阅览", data["late_count"]),
                    ("驳回的申请", data["refused_loans"]),
                ],
                "需关注",
                color=ALERT,
            ),
        )
        return context


class EventsView(LoansPage):
    """Drill-down: the reading entries behind a figure (a household, refusals, late reading)."""

    template_name = "loans/events.html"
    page_title = "电子阅览记录"
    permission = "inspect_loans"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, params = self.request.user, self.request.GET
        try:
            _, span, agency = loans_for(user, _params(self.request), default_days=90)
            visible_agency(user, params.get("agency"))
        except LoanRefused as refusal:
            context["error"] = refusal.message
            return context
        events = inspection.events(user, span, agency).select_related("user", "item", "loan")
        kind, household = params.get("kind", ""), params.get("household", "")
        if kind in ReadingEvent.Kind.values:
            events = events.filter(kind=kind)
        elif kind == "reading":
            events = events.filter(kind__in=inspection.READING_KINDS)
        if household.isdigit():
            events = events.filter(household_id=int(household))
            h = Household.objects.visible_to(user).filter(pk=int(household)).first()
            context["household"] = (h, shown_id_number(user, h.head_id_number)) if h else None
        rows = list(events[:1000])
        if params.get("late"):
            rows = [e for e in rows if inspection.outside_hours(e.at)]
        context.update(events=rows[:500], span=span, agency=agency)
        return context
