"""The retention screens in the Wagtail admin: URLs, a 保管与销毁 menu, the worklist."""

from __future__ import annotations

import datetime as dt

from django.urls import include, path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from archive.views.menu import PermissionMenuItem
from retention import queries


@hooks.register("register_admin_urls")
def retention_urls():
    return [path("retention/", include("retention.urls", namespace="retention"))]


_menu = Menu(
    register_hook_name="register_retention_menu_item",
    construct_hook_name="construct_retention_menu",
)


@hooks.register("register_retention_menu_item")
def due_item():
    return PermissionMenuItem(
        "到期鉴定",
        reverse("retention:index"),
        name="retention-due",
        icon_name="date",
        order=1,
        permission="retention.view_dueentry",
    )


@hooks.register("register_retention_menu_item")
def holds_item():
    return PermissionMenuItem(
        "冻结管理",
        reverse("retention:holds"),
        name="retention-holds",
        icon_name="lock",
        order=2,
        permission="retention.view_hold",
    )


@hooks.register("register_retention_menu_item")
def batches_item():
    return PermissionMenuItem(
        "销毁批次",
        reverse("retention:batches"),
        name="retention-batches",
        icon_name="bin",
        order=3,
        permission="retention.view_destructionbatch",
    )


@hooks.register("register_admin_menu_item")
def retention_menu():
    return SubmenuMenuItem("保管与销毁", _menu, name="retention", icon_name="date", order=400)


@hooks.register("hedang_worklist")
def retention_worklist(request) -> list[dict]:
    """Items due for appraisal (archivists) and batches waiting for my approval or check."""
    user = request.user
    work = []
    if user.has_perm("retention.appraise_item"):
        from retention.models import DueEntry

        pending = DueEntry.objects.visible_to(user).filter(state=DueEntry.State.PENDING)
        count = pending.count()
        if count:
            first = pending.order_by("listed_on").values_list("listed_on", flat=True).first()
            oldest = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
            work.append(
                {
                    "label": "到期待鉴定档案",
                    "count": count,
                    "url": reverse("retention:index"),
                    "oldest": oldest,
                }
            )
    waiting = queries.batches_waiting_for(user)
    count = waiting.count()
    if count:
        oldest = waiting.order_by("proposed_at").values_list("proposed_at", flat=True).first()
        work.append(
            {
                "label": "待我审批或监销的销毁批次",
                "count": count,
                "url": reverse("retention:batches"),
                "oldest": oldest,
            }
        )
    return work


@hooks.register("hedang_item_buttons")
def retention_item_buttons(request, item) -> list:
    """The item page shows when the item falls due (or how it was destroyed)."""
    from wagtail.admin.widgets.button import HeaderButton

    from retention.models import BatchItem
    from retention.timer import due_date

    if not request.user.has_perm("retention.view_dueentry") or not item.archive_number:
        return []
    if item.status == "destroyed":
        line = BatchItem.objects.filter(item=item, batch__status="executed").first()
        if line is None:
            return []
        url = reverse("retention:batch", args=(line.batch_id,))
        return [HeaderButton(f"已销毁（销毁批次 #{line.batch_id}）", url=url, icon_name="bin")]
    due = due_date(item)
    if due is None:
        return []
    url = reverse("retention:index")
    return [HeaderButton(f"保管至 {due:%Y-%m-%d}", url=url, icon_name="date")]
