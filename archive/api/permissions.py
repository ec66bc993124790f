"""Model permissions for the API: reading needs ``view_*``, writing ``add_*``/``change_*``."""

from __future__ import annotations

from rest_framework import permissions


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions, reads included (DRF leaves GET open by default)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        method = request.method.lower()
        if method not in view.http_method_names or not hasattr(view, method):
            return True  # the view answers 405; no permission decides a method it lacks
        return super().has_permission(request, view)


def require(*perms: str) -> type[permissions.BasePermission]:
    """A permission class asking for the given ``app.codename`` permissions."""

    class Required(permissions.BasePermission):
        message = "没有执行此操作的权限：" + "、".join(perms)

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    Required.__name__ = "Require_" + "_".join(p.replace(".", "_") for p in perms)
    return Required
