"""Shared pieces of the ingest views: permission checks, scoped look-ups, the page base.

Batches and documents are not archive models with ``visible_to``; they belong to the agency
that submitted them and are looked up in ``ingest.review.visible_batches`` / ``…documents``.
Refusals go through archive.views.access (``record_denied``), like every archive view.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from archive.models import Item
from archive.views.access import AuditedAccessMixin, permission_label, record_denied
from ingest.models import Batch, Document
from ingest.review import visible_batches, visible_documents

# Ingestion creates items; deciding a review item changes one.
INGEST_PERMISSION = permission_label(Item, "add")  # archive.add_item
REVIEW_PERMISSION = permission_label(Item, "change")  # archive.change_item


def require(request, permission: str, model=None, pk="") -> None:
    """PermissionDenied (recorded against ``model``) unless the user has ``permission``."""
    if not request.user.has_perm(permission):
        record_denied(request, model, pk, reason="permission", permission=permission)
        raise PermissionDenied


def get_scoped_or_deny(request, model, pk, queryset):
    """``pk`` in the user's scoped ``queryset``, or a recorded 404 (as for a missing one)."""
    try:
        return queryset.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        record_denied(request, model, pk, reason="out_of_scope_or_missing")
        raise Http404("未找到该记录") from None


def get_batch_or_deny(request, pk) -> Batch:
    require(request, INGEST_PERMISSION, Batch, pk)
    batches = visible_batches(request.user).select_related("agency", "created_by", "household")
    return get_scoped_or_deny(request, Batch, pk, batches)


def get_document_or_deny(request, pk) -> Document:
    require(request, INGEST_PERMISSION, Document, pk)
    return get_scoped_or_deny(request, Document, pk, visible_documents(request.user))


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def batch_url(batch) -> str:
    return reverse("ingest:batch", args=(batch.pk,))


class _PermissionRequired:
    permission = INGEST_PERMISSION
    model = None

    def dispatch(self, request, *args, **kwargs):
        require(request, self.permission, self.model, kwargs.get("pk", ""))
        return super().dispatch(request, *args, **kwargs)


class IngestView(AuditedAccessMixin, _PermissionRequired, WagtailAdminTemplateMixin, TemplateView):
    """An admin page of the ingest screens: permission first, then the page."""

    crumbs: tuple[tuple[str, str], ...] = ()  # (url name, label) between home and this page

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        items += [{"url": reverse(name), "label": label} for name, label in self.crumbs]
        items.append({"url": "", "label": self.get_page_title()})
        return items
