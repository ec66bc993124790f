"""借阅登记簿 in the admin: a period and an agency of the user's jurisdiction, the rows on
screen, and the PDF or XLSX (each export logged, as in the API)."""

from __future__ import annotations

from django.http import Http404

from archive.api.fields import visible_agencies
from archive.views.access import audited_access
from loans import register
from loans.api.views import register_response
from loans.queries import loans_for
from loans.services import LoanRefused
from loans.views.common import LoansPage, require


def _params(request) -> dict:
    return {k: request.GET.get(k) for k in ("from", "to", "agency") if request.GET.get(k)}


class RegisterView(LoansPage):
    template_name = "loans/register.html"
    page_title = "借阅登记簿"
    permission = "export_loan_register"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = _params(self.request)
        try:
            loans, span, agency = loans_for(self.request.user, params)
            rows, error = register.rows(loans), ""
        except LoanRefused as refusal:
            span, agency, rows, error = None, None, [], refusal.message
        context.update(
            rows=rows,
            span=span,
            agency=agency,
            error=error,
            agencies=visible_agencies(self.request.user).order_by("region_code"),
            columns=register.COLUMNS,
            query="&".join(f"{k}={v}" for k, v in params.items()),
        )
        return context


@audited_access
def export(request, fmt: str):
    require(request, "export_loan_register")
    if fmt not in ("pdf", "xlsx"):
        raise Http404("没有这种格式")
    try:
        loans, span, agency = loans_for(request.user, _params(request))
    except LoanRefused as refusal:
        raise Http404(refusal.message) from None
    return register_response(request, loans, span, agency, fmt)
