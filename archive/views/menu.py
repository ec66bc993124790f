"""A menu entry shown only to users holding one permission: every app's admin menu uses it."""

from __future__ import annotations

from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    """``PermissionMenuItem(label, url, permission="app.codename", …)``; no permission: shown
    to everyone who reaches the admin."""

    def __init__(self, *args, permission: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request) -> bool:
        return not self.permission or request.user.has_perm(self.permission)
