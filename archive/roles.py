"""Roles per post of the standard (§5.2) as Django groups, and the standard subtypes.

Both are kept in step with the code after every migrate, so a new permission or subtype
reaches existing installations without a hand-written data migration.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from archive.categories import STANDARD_SUBTYPES

CASEWORK = [
    "view_household",
    "add_household",
    "change_household",
    "view_member",
    "add_member",
    "change_member",
    "view_case",
    "add_case",
    "change_case",
    "view_item",
    "view_file",
    "view_page",
    "view_agency",
    "view_subtype",
]
READ_ALL = [
    "view_household",
    "view_member",
    "view_case",
    "view_item",
    "view_file",
    "view_page",
    "view_box",
    "view_agency",
    "view_subtype",
]
ARCHIVING = READ_ALL + [
    "add_household",
    "change_household",
    "add_member",
    "change_member",
    "add_case",
    "change_case",
    "add_item",
    "change_item",
    "add_file",
    "add_page",
    "change_page",
    "add_box",
    "change_box",
    "add_subtype",
    "change_subtype",
]

ADMIN_ACCESS = "wagtailadmin.access_admin"
# Scanning stations, batches and their documents belong to the archivist's daily work.
INGEST = [
    "ingest.view_station",
    "ingest.add_station",
    "ingest.change_station",
    "ingest.view_batch",
    "ingest.add_batch",
    "ingest.view_document",
]
FULL_ID = "view_full_id_number"
AUDIT_LOG = "view_auditentry"

# role name → (codenames in app "archive", other "app.codename" permissions)
ROLES: dict[str, tuple[list[str], list[str]]] = {
    "委托受理": (CASEWORK + [FULL_ID], [ADMIN_ACCESS]),
    "审核确认": (CASEWORK + [FULL_ID], [ADMIN_ACCESS]),
    "核对报告": (CASEWORK + [FULL_ID], [ADMIN_ACCESS]),
    "信息管理": (READ_ALL, [ADMIN_ACCESS]),
    "安全管理": (READ_ALL + [AUDIT_LOG], [ADMIN_ACCESS]),
    "档案管理员": (ARCHIVING + [FULL_ID], [ADMIN_ACCESS, *INGEST]),
    "监督检查": (READ_ALL + [AUDIT_LOG], [ADMIN_ACCESS]),
    "平台接口": (
        [
            "view_household",
            "add_household",
            "change_household",
            "add_case",
            "add_item",
            "verify_signatures",
        ],
        [],
    ),
}

ARCHIVIST = "档案管理员"
INSPECTOR = "监督检查"
PLATFORM = "平台接口"


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def contributed_permissions() -> dict[str, list[str]]:
    """Permissions that apps above archive add to roles (and roles they add).

    archive imports no other app: an app's ``AppConfig`` declares
    ``hedang_role_permissions = {"档案管理员": ["loans.approve_loan", …], "新角色": […]}`` and
    every migrate merges it here, so each app keeps its own permissions beside its models.
    """
    from django.apps import apps

    merged: dict[str, list[str]] = {}
    for config in apps.get_app_configs():
        for role, labels in getattr(config, "hedang_role_permissions", {}).items():
            merged.setdefault(role, []).extend(labels)
    return merged


def ensure_roles() -> None:
    contributed = contributed_permissions()
    for name in [*ROLES, *(r for r in contributed if r not in ROLES)]:
        archive_codenames, others = ROLES.get(name, ([], []))
        group, _ = Group.objects.get_or_create(name=name)
        perms = [_permission(f"archive.{c}") for c in archive_codenames]
        perms += [_permission(label) for label in [*others, *contributed.get(name, [])]]
        group.permissions.set(perms)


def ensure_standard_subtypes() -> None:
    from archive.models import Subtype

    for category, subtypes in STANDARD_SUBTYPES.items():
        for order, (code, name, keywords) in enumerate(subtypes):
            Subtype.objects.update_or_create(
                code=code,
                defaults={
                    "category": category,
                    "name": name,
                    "agency": None,
                    "order": order,
                    "title_keywords": keywords,
                },
            )


def on_post_migrate(sender, **kwargs) -> None:
    # Run after the last app, when every permission a role names exists.
    from django.apps import apps

    last = [c for c in apps.get_app_configs() if c.models_module is not None][-1]
    if sender.label == last.label:
        ensure_standard_subtypes()
        ensure_roles()
