"""What the archive does not use of Wagtail's CMS, hidden from the staff admin.

Pages, images, documents, the page reports (locked pages, workflows…), sites, collections and
Wagtail's help links are removed from the menus, the dashboard's summary and panels; the
"Editors" and "Moderators" groups Wagtail's migrations create are deleted after each migrate.
The apps themselves stay installed: the admin's base template reverses their URLs.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# Names of Wagtail's own menu items (wagtail.admin / images / documents / reports / settings).
MAIN_MENU_HIDDEN = {"explorer", "images", "documents", "help"}
SETTINGS_MENU_HIDDEN = {"workflows", "workflow-tasks", "sites", "collections", "redirects"}
REPORTS_MENU_HIDDEN = {
    "locked-pages",
    "workflows",
    "workflow-tasks",
    "site-history",
    "aging-pages",
    "page-types-usage",
}
CMS_GROUPS = ("Editors", "Moderators")
# Wagtail's own dashboard pieces (class names): page counts and the page workflow panels.
HOMEPAGE_SUMMARY_HIDDEN = {"PagesSummaryItem", "ImagesSummaryItem", "DocumentsSummaryItem"}
HOMEPAGE_PANELS_HIDDEN = {
    "WorkflowObjectsToModeratePanel",
    "UserObjectsInWorkflowModerationPanel",
    "RecentEditsPanel",
    "LockedPagesPanel",
    "WhatsNewInWagtailVersionPanel",
}


def keep_menu_items(items: list, hidden: set[str]) -> None:
    items[:] = [item for item in items if item.name not in hidden]


def keep_by_class(objects: list, hidden: set[str]) -> None:
    objects[:] = [obj for obj in objects if type(obj).__name__ not in hidden]


def remove_cms_groups(sender=None, using: str = "default", **kwargs) -> None:
    """Delete Wagtail's sample groups, unless somebody has been put in one (then say so)."""
    from django.contrib.auth.models import Group

    for group in Group.objects.using(using).filter(name__in=CMS_GROUPS):
        if group.user_set.exists():
            logger.warning("组 %s 仍有用户，未删除", group.name)
            continue
        group.delete()


# Django names its default permissions in English when their model is migrated.
PERMISSION_VERBS = {
    "Can add ": "可新增",
    "Can change ": "可修改",
    "Can delete ": "可删除",
    "Can view ": "可查看",
}
PERMISSION_NAMES = {
    "Can access Wagtail admin": "可访问管理后台",
    "Delete pages with children": "可删除含子页面的页面",
    "Lock/unlock pages you've locked": "可锁定/解锁自己锁定的页面",
    "Publish any page": "可发布任何页面",
    "Unlock any page": "可解锁任何页面",
    "Bulk delete pages with children": "可批量删除含子页面的页面",
    "Can add group": "可新增组",
    "Can change group": "可修改组",
    "Can delete group": "可删除组",
    "Can view group": "可查看组",
}


def chinese_permission_name(name: str) -> str:
    if name in PERMISSION_NAMES:
        return PERMISSION_NAMES[name]
    for english, chinese in PERMISSION_VERBS.items():
        if name.startswith(english):
            return chinese + name[len(english) :]
    return name


def rename_permissions(sender=None, using: str = "default", **kwargs) -> None:
    """Give the permissions Chinese names (shown on the 组 form): the default ones are named
    with the model's verbose name as translated into Chinese."""
    from django.contrib.auth.models import Permission
    from django.utils import translation

    verbs = {"add": "可新增", "change": "可修改", "delete": "可删除", "view": "可查看"}
    with translation.override("zh-hans"):
        for permission in Permission.objects.using(using).select_related("content_type"):
            name = chinese_permission_name(permission.name)
            verb, _, model_name = permission.codename.partition("_")
            model = permission.content_type.model_class()
            if verb in verbs and model is not None and model_name == model._meta.model_name:
                name = verbs[verb] + str(model._meta.verbose_name)
            if name != permission.name:
                permission.name = name[:255]
                permission.save(update_fields=["name"])
