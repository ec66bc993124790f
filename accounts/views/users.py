"""The user admin with approval (审批备案): see accounts.approval."""

from __future__ import annotations

from archive.views.users import HedangUserViewSet


class AccountsUserViewSet(HedangUserViewSet):
    pass
