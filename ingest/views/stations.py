"""扫描站点: scanning stations and their hot folders, for archivists.

The role groups (archive.roles) carry no ``ingest.*_station`` permissions, so a station may
be managed with them or, as archivists do, with both ``archive.add_item`` and
``archive.change_item``. Stations are scoped by their agency: a user sees and edits only the
stations of the agencies of their jurisdiction.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.permission_policies.base import ModelPermissionPolicy

from archive import audit
from archive.views.access import record_denied
from archive.views.generic import (
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedModelViewSet,
)
from ingest.forms import StationForm
from ingest.models import Station

ARCHIVIST_PERMISSIONS = ("archive.add_item", "archive.change_item")


class StationPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if super().user_has_permission(user, action):
            return True
        return action in ("add", "change", "view") and user.has_perms(ARCHIVIST_PERMISSIONS)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


def visible_stations(user):
    ids = user.visible_agency_ids
    stations = Station.objects.select_related(
        "agency", "default_household", "default_subtype"
    ).order_by("name")
    return stations if ids is None else stations.filter(agency_id__in=ids)


def hot_folder(station: Station) -> Path:
    return Path(settings.HEDANG_INBOX_DIR) / station.name


def make_hot_folder(station: Station) -> None:
    if station.active:
        try:
            hot_folder(station).mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # the watcher creates it when it starts; the page still shows the path


def profile_text(station: Station) -> str:
    """The scanning profile in a few words, e.g. 「300 dpi · 灰度 · 双面 · 成叠」."""
    parts = [f"{station.dpi} dpi", station.get_colour_mode_display()]
    parts += ["双面（剔除空白背面）" if station.duplex else "单面"]
    parts += ["成叠（子文件夹为一叠）"] if station.stack_folders else []
    return " · ".join(parts)


class StationIndexView(ScopedIndexView):
    page_title = "扫描站点"

    def get_base_queryset(self):
        return visible_stations(self.request.user)

    def get_detail_url(self, instance):
        return reverse("ingest_station:edit", args=(instance.pk,))

    @cached_property
    def columns(self):
        return [
            self.title_column("name", "站点名", sort_key="name"),
            Column("label", label="显示名称", accessor="label"),
            Column("agency", label="核对机构", accessor="agency.name"),
            Column("folder", label="热文件夹", accessor=lambda s: f"{hot_folder(s)}/"),
            Column(
                "defaults",
                label="默认归属",
                accessor=lambda s: (
                    "，".join(
                        str(v)
                        for v in (
                            s.default_household,
                            s.default_subtype or s.get_default_category_display(),
                        )
                        if v
                    )
                    or "—"
                ),
            ),
            Column("profile", label="扫描设定", accessor=profile_text),
            BooleanColumn("active", label="启用"),
        ]


class _StationSaved:
    """Stations are not in archive's audited models: log their creation and changes here."""

    audit_action = audit.Action.CHANGE

    def save_instance(self):
        station = super().save_instance()
        make_hot_folder(station)
        audit.record(
            self.audit_action,
            station,
            request=self.request,
            detail={
                "fields": sorted(self.form.changed_data),
                "agency": station.agency.region_code,
                "folder": str(hot_folder(station)),
                "profile": profile_text(station),
            },
        )
        return station

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["inbox_dir"] = settings.HEDANG_INBOX_DIR
        return context


class StationCreateView(_StationSaved, ScopedCreateView):
    audit_action = audit.Action.CREATE

    def get_success_url(self):
        return reverse("ingest_station:index")

    def get_success_message(self, instance):
        return (
            f"已新增扫描站点「{instance}」（{profile_text(instance)}），"
            f"热文件夹：{hot_folder(instance)}/"
        )


class StationEditView(_StationSaved, ScopedEditView):
    def get_object(self, queryset=None):
        pk = self.kwargs.get("pk")
        station = visible_stations(self.request.user).filter(pk=pk).first()
        if station is None:
            record_denied(self.request, Station, pk, reason="out_of_scope_or_missing")
            raise Http404("未找到该记录")
        return station

    def get_success_url(self):
        return reverse("ingest_station:index")

    def get_success_message(self):
        return (
            f"已保存扫描站点「{self.object}」（{profile_text(self.object)}），"
            f"热文件夹：{hot_folder(self.object)}/"
        )


class StationViewSet(ScopedModelViewSet):
    model = Station
    name = "ingest_station"
    url_prefix = "ingest/stations"
    icon = "desktop"
    menu_label = "扫描站点"
    menu_order = 154
    add_to_admin_menu = True
    routed_views = ("add", "edit")
    index_view_class = StationIndexView
    add_view_class = StationCreateView
    edit_view_class = StationEditView
    search_fields = ["name", "label"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return StationForm
