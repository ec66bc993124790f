"""The loans app in the admin (借阅 menu, /admin/loans/) and in other apps' extension points:
retention holds, the dashboard worklist, item-page buttons and access to originals."""

from __future__ import annotations

import datetime as dt

from django.urls import include, path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.widgets.button import HeaderButton

from archive.models import Item
from archive.views.menu import PermissionMenuItem
from loans import reading
from loans.models import Loan, LoanItem


class LoansSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return request.user.has_perm("loans.view_loan")


@hooks.register("register_admin_urls")
def loans_urls():
    return [path("loans/", include("loans.urls", namespace="loans"))]


@hooks.register("register_admin_menu_item")
def loans_menu():
    menu = Menu(
        items=[
            PermissionMenuItem(
                "借阅台",
                reverse("loans:desk"),
                name="loan-desk",
                icon_name="clipboard-list",
                order=10,
                permission="loans.view_loan",
            ),  # noqa: E501
            PermissionMenuItem(
                "借阅登记簿",
                reverse("loans:register"),
                name="loan-register",
                icon_name="doc-full",
                order=20,
                permission="loans.export_loan_register",
            ),  # noqa: E501
            PermissionMenuItem(
                "借阅监督检查",
                reverse("loans:inspect"),
                name="loan-inspect",
                icon_name="view",
                order=30,
                permission="loans.inspect_loans",
            ),  # noqa: E501
        ]
    )
    return LoansSubmenu("借阅", menu, name="loans", icon_name="clipboard-list", order=170)


@hooks.register("hedang_retention_holds")
def open_loans_hold_their_items():
    """Items of open loans (see ``LoanQuerySet.open``) are kept from destruction."""
    lines = LoanItem.objects.filter(loan__in=Loan.objects.open()).values_list("item_id", "loan_id")
    return [(item_id, f"借阅单 {loan_id} 未结清") for item_id, loan_id in lines]


@hooks.register("hedang_worklist")
def loans_worklist(request):
    user = request.user
    visible = Loan.objects.visible_to(user)
    work = []
    if user.has_perm("loans.approve_loan"):
        waiting = (
            visible.filter(status=Loan.Status.REQUESTED)
            .exclude(requested_by=user)
            .exclude(borrower_user=user)
        )
        oldest = waiting.order_by("requested_at").values_list("requested_at", flat=True).first()
        work.append(
            {
                "label": "待我审批的借阅",
                "count": waiting.count(),
                "url": reverse("loans:desk") + "?status=requested",
                "oldest": oldest,
            }
        )
    if user.has_perm("loans.issue_loan"):
        overdue = visible.overdue()
        work.append(
            {
                "label": "逾期未还的借阅",
                "count": overdue.count(),
                "url": reverse("loans:desk") + "?status=overdue&from=2000-01-01",
                "oldest": _start_of(
                    overdue.order_by("date").values_list("date", flat=True).first()
                ),
            }
        )
        incidents = visible.filter(status=Loan.Status.INCIDENT)
        work.append(
            {
                "label": "归还异常待处理",
                "count": incidents.count(),
                "url": reverse("loans:desk") + "?status=incident&from=2000-01-01",
            }
        )
    return work


def _start_of(day):
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@hooks.register("hedang_item_buttons")
def item_buttons(request, item):
    if not item.archive_number or item.status != Item.Status.FILED:
        return []
    buttons = []
    if reading.access_for(request.user, item).allowed:
        buttons.append(
            HeaderButton("电子阅览", url=reverse("loans:read", args=(item.pk,)), icon_name="view")
        )
    if request.user.has_perm("loans.add_loan"):
        url = reverse("loans:request") + f"?item={item.pk}"
        buttons.append(HeaderButton("借阅", url=url, icon_name="clipboard-list"))
    return buttons


@hooks.register("hedang_original_access")
def original_access_during_loan(user, item) -> bool:
    """An approved electronic loan of this user, covering the item, in its hours."""
    return reading.active_loan(user, item) is not None
