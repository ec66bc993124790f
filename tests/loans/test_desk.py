"""The loan desk, register and inspector pages in the admin, and the hooks for other apps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_desk_request_approve_issue_return_short_and_resolve(paper_items, staff, today):
    from loans.models import Loan

    clerk = client_for(staff["clerk"])
    item = paper_items[0]
    r = clerk.get(f"/admin/loans/new/?item={item.pk}")
    assert r.status_code == 200 and item.archive_number in r.content.decode()
    r = clerk.post(
        "/admin/loans/new/",
        {
            "borrower_type": "staff",
            "borrower_user": "clerk",
            "purpose": "复核",
            "kind": "paper",
            "date": today.isoformat(),
            "start_time": "09:00",
            "end_time": "17:00",
            "items": item.archive_number,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    loan = Loan.objects.get()
    # The requester cannot approve (no permission here); the approver can.
    approver, desk = client_for(staff["approver"]), client_for(staff["archivist"])
    approver.post(f"/admin/loans/{loan.pk}/approve/")
    desk.post(f"/admin/loans/{loan.pk}/issue/")
    line = loan.lines.get()
    r = desk.post(
        f"/admin/loans/{loan.pk}/return/",
        {f"pages_{line.pk}": "2", f"condition_{line.pk}": "intact"},
    )
    loan.refresh_from_db()
    assert loan.status == "incident"
    page = desk.get(f"/admin/loans/{loan.pk}/").content.decode()
    assert "发放 3 页，归还清点 2 页" in page
    incident = loan.incidents.get()
    desk.post(f"/admin/loans/{loan.pk}/incidents/{incident.pk}/resolve/", {"note": "找回"})
    loan.refresh_from_db()
    assert loan.status == "closed"


def test_desk_shows_refusals_in_chinese_and_changes_nothing(paper_items, staff, today):
    from loans.models import Loan

    r = client_for(staff["clerk"]).post(
        "/admin/loans/new/",
        {
            "borrower_type": "outside",
            "name": "赵外",
            "id_number": "420102198503151235",
            "unit": "某单位",
            "purpose": "查阅",
            "kind": "paper",
            "date": today.isoformat(),
            "start_time": "09:00",
            "end_time": "17:00",
            "items": paper_items[0].archive_number,
        },
    )
    assert r.status_code == 400
    assert "借阅人身份证号无效" in r.content.decode()
    assert Loan.objects.count() == 0


def test_inspector_view_of_a_city_covers_its_counties_only(paper_items, staff, make_user, today):
    from loans import services

    loan = services.request_loan(
        staff["clerk"],
        borrower=services.Borrower(user=staff["clerk"]),
        purpose="复核",
        kind="paper",
        items=[paper_items[0].archive_number],
        date=today,
    )
    wuhan = client_for(make_user("420100", "监督检查", username="insp"))
    r = wuhan.get("/admin/loans/inspect/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "<svg" in body and "江岸区" in body
    assert "宜昌" not in body.split('name="agency"')[1].split("</select>")[0]
    r = wuhan.get("/admin/loans/inspect/?agency=420502")
    assert "不在本机构辖区内" in r.content.decode()
    yichang = client_for(make_user("420500", "监督检查", username="insp2"))
    body = yichang.get("/admin/loans/inspect/").content.decode()
    assert "共 0 张借阅单" in body
    assert yichang.get(f"/admin/loans/{loan.pk}/").status_code == 404
    # Read-only: the inspector has no step buttons and a step is refused.
    r = wuhan.post(f"/admin/loans/{loan.pk}/approve/")
    loan.refresh_from_db()
    assert loan.status == "requested"
    # A caseworker has no inspector view.
    assert client_for(staff["clerk"]).get("/admin/loans/inspect/").status_code == 403


def test_register_page_and_exports(paper_items, staff, today):
    from archive.models import AuditEntry

    desk = client_for(staff["archivist"])
    span = f"from={today - dt.timedelta(days=3)}&to={today}"
    assert desk.get(f"/admin/loans/register/?{span}").status_code == 200
    r = desk.get(f"/admin/loans/register/pdf/?{span}")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    r = desk.get(f"/admin/loans/register/xlsx/?{span}")
    assert r.status_code == 200
    assert AuditEntry.objects.filter(action="export", object_type="loans.Register").count() == 2


def test_hooks_hold_open_loans_list_work_and_add_buttons(paper_items, staff, today, rf):
    from wagtail import hooks

    from loans import services

    def ours(name):
        return [h for h in hooks.get_hooks(name) if h.__module__.startswith("loans")]

    loan = services.request_loan(
        staff["clerk"],
        borrower=services.Borrower(user=staff["clerk"]),
        purpose="复核",
        kind="paper",
        items=[paper_items[0].archive_number],
        date=today,
    )
    [holds] = ours("hedang_retention_holds")
    assert list(holds()) == [(paper_items[0].pk, f"借阅单 {loan.pk} 未结清")]
    request = rf.get("/admin/")
    request.user = staff["approver"]
    [worklist] = ours("hedang_worklist")
    work = {w["label"]: w["count"] for w in worklist(request)}
    assert work["待我审批的借阅"] == 1
    request.user = staff["clerk"]
    assert worklist(request) == []
    [buttons] = ours("hedang_item_buttons")
    request.user = staff["archivist"]
    labels = [b.label for b in buttons(request, paper_items[0])]
    assert labels == ["电子阅览", "借阅"]
    services.refuse(loan, staff["approver"], "不需要")
    assert list(holds()) == []


def test_item_page_shows_the_loan_buttons(paper_items, staff):
    from django.urls import reverse

    item = paper_items[0]
    body = client_for(staff["archivist"]).get(reverse("archive_item:detail", args=(item.pk,)))
    assert body.status_code == 200
    text = body.content.decode()
    assert reverse("loans:read", args=(item.pk,)) in text
    assert reverse("loans:request") + f"?item={item.pk}" in text


def test_a_request_whose_day_passed_unused_holds_nothing(paper_items, staff, today):
    from wagtail import hooks

    from loans import services
    from loans.models import Loan

    [holds] = [
        h for h in hooks.get_hooks("hedang_retention_holds") if h.__module__.startswith("loans")
    ]
    loan = services.request_loan(
        staff["clerk"],
        borrower=services.Borrower(user=staff["clerk"]),
        purpose="复核",
        kind="paper",
        items=[paper_items[0].archive_number],
        date=today,
    )
    assert len(list(holds())) == 1
    Loan.objects.filter(pk=loan.pk).update(date=today - dt.timedelta(days=2))
    assert list(holds()) == []
    assert Loan.objects.get(pk=loan.pk).is_lapsed
    # An issued loan keeps holding its items, overdue or not.
    Loan.objects.filter(pk=loan.pk).update(status="issued")
    assert len(list(holds())) == 1 and Loan.objects.get(pk=loan.pk).is_overdue
