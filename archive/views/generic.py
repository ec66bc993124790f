"""Wagtail generic views bound to the scoping rule.

Each view fetches its rows through ``Model.objects.visible_to(request.user)`` and its single
object through ``get_visible_or_deny``; a viewset only routes the views it names, so no
unscoped generic view (delete, copy, history, usage) is reachable.
"""

from __future__ import annotations

import datetime as dt
import itertools
from urllib.parse import quote

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from archive import audit
from archive.views.access import AuditedAccessMixin, get_visible_or_deny

# Cells a spreadsheet would run as a formula get an apostrophe in CSV exports.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_LIMIT = 50_000


class ScopedIndexView(AuditedAccessMixin, generic.IndexView):
    """A list of the user's jurisdiction, filterable with an empty query, and exportable as
    CSV or XLSX (``?export=csv|xlsx``) with the same columns, masking and filters as shown;
    every export writes one 导出 entry naming the list, the format, the rows and the filters."""

    detail_url_name = None
    exportable = True

    @cached_property
    def list_export(self):
        if not self.exportable:
            return []
        return [column.name for column in self.columns if column.label]

    @cached_property
    def export_headings(self):
        return {column.name: str(column.label) for column in self.columns}

    def get_filename(self):
        return f"{self.model._meta.verbose_name_plural}-{timezone.localdate():%Y%m%d}"

    def to_row_dict(self, item):
        by_name = {column.name: column for column in self.columns}
        row = {}
        for name in self.list_export:
            value = by_name[name].get_value(item)
            row[name] = value if isinstance(value, int | float | dt.date) else str(value or "")
        return row

    def write_csv_row(self, writer, row_dict):
        safe = {
            k: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            for k, v in row_dict.items()
        }
        return super().write_csv_row(writer, safe)

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        # A BOM first, so that Excel reads the UTF-8 Chinese correctly.
        response.streaming_content = itertools.chain(["\ufeff"], response.streaming_content)
        response["Content-Type"] = "text/csv; charset=utf-8"
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(self.get_filename())}.csv"
        )
        return response

    def as_spreadsheet(self, queryset, spreadsheet_format):
        queryset = list(queryset[:EXPORT_LIMIT])
        filters = {k: v for k, v in self.request.GET.items() if k not in ("export", "p") and v}
        audit.record(
            audit.Action.EXPORT,
            request=self.request,
            object_type=self.model._meta.label,
            object_repr=f"{self.model._meta.verbose_name_plural}列表",
            detail={"format": spreadsheet_format, "rows": len(queryset), "filters": filters},
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def get_base_queryset(self):
        return self.model._default_manager.visible_to(self.request.user)

    def get_detail_url(self, instance):
        if self.detail_url_name:
            return reverse(self.detail_url_name, args=(instance.pk,))
        return None

    def title_column(self, name, label, **kwargs):
        """A linked first column carrying the row's buttons, as Wagtail's own title column."""
        column_class = self._get_title_column_class(TitleColumn)
        return column_class(name, label=label, get_url=self.get_detail_url, **kwargs)


class ScopedCreateView(AuditedAccessMixin, generic.CreateView):
    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        # Wagtail's "New: %(model_name)s" has no Chinese translation yet.
        items[-1] = {"url": "", "label": f"新增{self.model._meta.verbose_name}"}
        return items


class ScopedEditView(AuditedAccessMixin, generic.EditView):
    def get_object(self, queryset=None):
        return get_visible_or_deny(self.request, self.model, self.object_pk, action="change")


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet routing only ``routed_views`` (plus the index) and ``extra_urlpatterns``."""

    routed_views: tuple[str, ...] = ()
    copy_view_enabled = False
    add_to_reference_index = False
    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView

    _OPTIONAL = ("add", "edit", "delete", "history", "usage", "copy", "inspect")

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in self._OPTIONAL:
            if name not in self.routed_views:
                view_kwargs[f"{name}_url_name"] = None
        view_kwargs["detail_url_name"] = (
            self.get_url_name("detail") if "detail" in self.routed_views else None
        )
        return view_kwargs

    def get_urlpatterns(self):
        conv = self.pk_path_converter
        patterns = [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]
        if "add" in self.routed_views:
            patterns.append(path("new/", self.add_view, name="add"))
        if "edit" in self.routed_views:
            patterns.append(path(f"edit/<{conv}:pk>/", self.edit_view, name="edit"))
        return patterns + self.get_extra_urlpatterns()

    def get_permissions_to_register(self):
        """All the model's permissions, "view" included, so roles can be edited in Groups."""
        content_type = ContentType.objects.get_for_model(self.model)
        return Permission.objects.filter(content_type=content_type)

    def register_admin_url_finder(self):
        if "edit" in self.routed_views:
            super().register_admin_url_finder()

    def get_extra_urlpatterns(self) -> list:
        return []

    def extra_path(self, route, view_class, name, **kwargs):
        view = view_class.as_view(model=self.model, viewset=self, **kwargs)
        return path(route, view, name=name)


class ScopedDetailView(AuditedAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """One object's page: looked up through the scoping rule, and every view of it logged."""

    model = None
    viewset = None
    audit_view = True

    def get_scoped_queryset(self):
        return None  # the model's visible_to(user)

    def get(self, request, *args, **kwargs):
        self.object = get_visible_or_deny(
            request, self.model, kwargs["pk"], queryset=self.get_scoped_queryset()
        )
        if self.audit_view:
            audit.record(audit.Action.VIEW, self.object, request=request)
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.object)

    def get_header_icon(self):
        return self.viewset.icon if self.viewset else ""

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.viewset is not None:
            items.append(
                {
                    "url": reverse(self.viewset.get_url_name("index")),
                    "label": capfirst(self.model._meta.verbose_name_plural),
                }
            )
        items.append({"url": "", "label": self.get_page_title()})
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        return context
