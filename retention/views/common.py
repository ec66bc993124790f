"""The base of every retention admin page: permission first (403 recorded), then the page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from archive.masking import shown_id_number
from archive.views.access import AuditedAccessMixin, record_denied


def require(request, permission: str, model=None, pk="") -> None:
    if not request.user.has_perm(permission):
        record_denied(request, model, pk, reason="permission", permission=permission)
        raise PermissionDenied


def household_label(user, household) -> str:
    if household is None:
        return "—"
    return f"{household.head_name}户（{shown_id_number(user, household.head_id_number)}）"


def parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class RetentionView(AuditedAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    permission = "retention.view_dueentry"
    model = None
    header_icon = "date"
    crumbs: tuple[tuple[str, str], ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)  # Wagtail sends to the login
        try:
            require(request, self.permission, self.model, kwargs.get("pk", ""))
            self.load(request, **kwargs)
        except PermissionDenied:
            from archive.views.access import denied_response

            return denied_response(request)
        return super().dispatch(request, *args, **kwargs)

    def load(self, request, **kwargs) -> None:
        """Look up the page's object (scoped; 404 recorded) before anything else."""

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        items += [{"url": reverse(name), "label": label} for name, label in self.crumbs]
        items.append({"url": "", "label": self.get_page_title()})
        return items

    def refuse(self, message: str, url: str):
        messages.error(self.request, message)
        return redirect(url)
