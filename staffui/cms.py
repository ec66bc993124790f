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
