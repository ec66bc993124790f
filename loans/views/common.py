"""What the loans screens share: the admin page base, the scoped loan lookup, refusals."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from archive.views.access import AuditedAccessMixin, record_denied
from loans.models import Loan


def require(request, perm: str) -> None:
    """PermissionDenied (recorded as denied by the mixin/decorator) without ``loans.<perm>``."""
    if not request.user.has_perm(f"loans.{perm}"):
        record_denied(request, Loan, "", reason="permission", permission=f"loans.{perm}")
        raise PermissionDenied


def visible_loan(request, pk) -> Loan:
    """The loan if it lies in the user's jurisdiction; else 404 and a denied entry."""
    loan = Loan.objects.visible_to(request.user).filter(pk=pk).first()
    if loan is None:
        record_denied(request, Loan, pk, reason="out_of_scope_or_missing")
        raise Http404("未找到该借阅单")
    return loan


class LoansPage(AuditedAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """An admin page of the loans app, with 借阅 in its breadcrumbs."""

    header_icon = "clipboard-list"
    permission = "view_loan"

    def get(self, request, *args, **kwargs):
        require(request, self.permission)
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        items.append({"url": reverse("loans:desk"), "label": "借阅"})
        items.append({"url": "", "label": self.get_page_title()})
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["user_perms"] = {
            name: self.request.user.has_perm(f"loans.{name}")
            for name in (
                "add_loan",
                "approve_loan",
                "issue_loan",
                "inspect_loans",
                "export_loan_register",
                "read_electronic",
            )
        }
        return context
