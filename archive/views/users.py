"""Wagtail's user admin with the archive's own user fields: 真实姓名 and 所属核对机构.

Wagtail picks the user viewset from the ``wagtailusers`` app config, so this takes effect
when ``archive.users_app.HedangUsersAppConfig`` replaces ``"wagtail.users"`` in INSTALLED_APPS.
"""

from __future__ import annotations

from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column
from wagtail.users.views import users

from archive.forms import HedangUserCreationForm, HedangUserEditForm


class HedangUserIndexView(users.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("agency").prefetch_related("groups")

    @cached_property
    def search_fields(self):
        return ["username", "real_name", "email", "agency__name"]

    @cached_property
    def columns(self):
        columns = list(super().columns)
        name = next(c for c in columns if c.name == "name")
        name.accessor = lambda u: u.real_name or u.get_username()
        name.label = "真实姓名"
        name.sort_key = "real_name"
        at = columns.index(name) + 2  # after the user name column
        columns.insert(
            at,
            Column(
                "agency",
                label="所属核对机构",
                accessor=lambda u: u.agency or "—",
                sort_key="agency__region_code",
            ),
        )
        columns.insert(
            at + 1,
            Column(
                "roles",
                label="角色",
                accessor=lambda u: "、".join(sorted(g.name for g in u.groups.all())) or "—",
            ),
        )
        return columns


class HedangUserViewSet(users.UserViewSet):
    index_view_class = HedangUserIndexView

    def get_form_class(self, for_update=False):
        if for_update:
            return HedangUserEditForm
        return HedangUserCreationForm
