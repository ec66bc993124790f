"""Plugs the consistency app into the admin and into the other apps' extension points:
menu and URLs, the item page's 四性 button, the dashboard's worklist and fixity alarm, and
the retention holds of open discrepancies (docs/extension-points.md)."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets.button import HeaderButton

from archive.views.menu import PermissionMenuItem


@hooks.register("register_admin_urls")
def consistency_urls():
    return [path("consistency/", include("consistency.urls", namespace="consistency"))]


@hooks.register("register_admin_menu_item")
def discrepancies_menu_item():
    return PermissionMenuItem(
        "纸电不一致",
        reverse("consistency:discrepancies"),
        name="consistency",
        icon_name="warning",
        order=420,
        permission="consistency.view_discrepancy",
    )


@hooks.register("register_admin_menu_item")
def fixity_menu_item():
    return PermissionMenuItem(
        "存储校验",
        reverse("consistency:fixity"),
        name="fixity",
        icon_name="lock",
        order=421,
        permission="consistency.view_fixityrun",
    )


@hooks.register("hedang_item_buttons")
def fourprops_button(request, item):
    if not request.user.has_perm("archive.view_item"):
        return []
    from consistency.models import Discrepancy

    url = reverse("consistency:item_fourprops", args=(item.pk,))
    buttons = [HeaderButton("四性检测", url=url, icon_name="tick-inverse")]
    open_count = Discrepancy.objects.filter(item=item, status=Discrepancy.Status.OPEN).count()
    if open_count and request.user.has_perm("consistency.view_discrepancy"):
        url = reverse("consistency:discrepancies") + f"?item={item.pk}"
        buttons.append(HeaderButton(f"纸电不一致（{open_count}）", url=url, icon_name="warning"))
    return buttons


@hooks.register("hedang_retention_holds")
def open_discrepancy_holds():
    from consistency.resolve import holds

    return holds()


@hooks.register("hedang_worklist")
def worklist(request):
    from consistency.fixity import open_alarms
    from consistency.models import Discrepancy

    out = []
    if request.user.has_perm("consistency.view_discrepancy"):
        open_rows = Discrepancy.objects.visible_to(request.user).filter(status="open")
        oldest = open_rows.order_by("first_seen").values_list("first_seen", flat=True).first()
        out.append(
            {
                "label": "纸电不一致待处理",
                "count": open_rows.count(),
                "url": reverse("consistency:discrepancies"),
                "oldest": oldest,
            }
        )
    if request.user.has_perm("consistency.view_fixityrun"):
        out.append(
            {
                "label": "存储校验告警",
                "count": open_alarms().count(),
                "url": reverse("consistency:fixity"),
            }
        )
    return out


class FixityAlarmPanel(Component):
    """A red panel on the dashboard while any stored object fails its hash."""

    name = "hedang_fixity_alarm"
    order = 5

    def __init__(self, count: int):
        self.count = count

    def render_html(self, parent_context=None):
        return format_html(
            '<section class="panel" data-testid="fixity-alarm" style="border:2px solid #cd4444;'
            'padding:1em;margin-bottom:1em"><h2 style="color:#cd4444">存储校验告警</h2>'
            "<p>{} 个存储对象的内容与其 SHA-256 不符，已停止作为原件提供。"
            '<a href="{}">查看</a></p></section>',
            self.count,
            reverse("consistency:fixity"),
        )


@hooks.register("construct_homepage_panels")
def fixity_alarm_panel(request, panels):
    from consistency.fixity import open_alarms

    if request.user.has_perm("consistency.view_fixityrun"):
        count = open_alarms().count()
        if count:
            panels.append(FixityAlarmPanel(count))
