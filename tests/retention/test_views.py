"""The staff pages: due list with the chart, appraisal, holds, a batch's steps; scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(world):
    from retention.sweep import fill_appraisal_list

    fill_appraisal_list(dt.date(2025, 1, 1))
    return world


def test_due_page_shows_chart_and_households(client, listed):
    client.force_login(listed.users["档案员"])
    page = client.get(reverse("retention:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "2025 年到期 3 件" in html and "2031 年到期 1 件" in html
    assert "鉴定本户" in html and listed.items["李明-2014"].archive_number in html


def test_appraisal_form_then_batch_steps(client, listed):
    from archive.models import AuditEntry
    from retention.models import DestructionBatch

    u, i = listed.users, listed.items
    client.force_login(u["档案员"])
    url = reverse("retention:appraise", args=(listed.households["李明"].pk,))
    page = client.post(
        url, {f"decision-{i['李明-2014'].pk}": "destroy", "appraisers": "", "reason": "x"}
    )
    assert "请填写鉴定人" in page.content.decode()
    client.post(
        url, {f"decision-{i['李明-2014'].pk}": "destroy", "appraisers": "王芳", "reason": "期满"}
    )
    assert AuditEntry.objects.filter(action="appraise").count() == 1
    url = reverse("retention:appraise", args=(listed.households["张伟"].pk,))
    client.post(
        url,
        {
            f"decision-{i['张伟-2014'].pk}": "keep",
            f"years-{i['张伟-2014'].pk}": "5",
            f"decision-{i['张伟-2014b'].pk}": "keep",
            f"years-{i['张伟-2014b'].pk}": "3",
            "appraisers": "王芳",
            "reason": "仍有利用价值",
        },
    )
    kept = client.get(reverse("retention:index")).content.decode()
    assert "2030-01-01" in kept and "2028-01-01" in kept  # the new due dates are shown
    page = client.post(
        reverse("retention:batches"),
        {"items": [i["李明-2014"].pk], "title": "第1批", "reason": "期满", "place": "档案室"},
    )
    batch = DestructionBatch.objects.get()
    assert page.url == reverse("retention:batch", args=(batch.pk,))
    detail = reverse("retention:batch", args=(batch.pk,))
    client.post(detail, {"step": "approve"})  # the proposer may not approve
    batch.refresh_from_db()
    assert batch.status == "draft"
    for who in ("负责人",):
        client.force_login(u[who])
        client.post(detail, {"step": "approve"})
    for who in ("监销甲", "监销乙"):
        client.force_login(u[who])
        client.post(detail, {"step": "supervise", "note": "已核对"})
    client.force_login(u["档案员"])
    page = client.post(
        detail, {"step": "execute", "paper_method": "粉碎", "paper_place": "档案室"}, follow=True
    )
    assert "已执行销毁" in page.content.decode()
    batch.refresh_from_db()
    assert batch.status == "executed"
    pdf = client.get(reverse("retention:batch_pdf", args=(batch.pk, "register")))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_other_county_gets_404_and_denied_entry(client, listed):
    from archive.models import AuditEntry

    client.force_login(listed.users["汉阳档案员"])
    url = reverse("retention:appraise", args=(listed.households["李明"].pk,))
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="denied").exists()
    page = client.get(reverse("retention:index"))
    assert listed.items["李明-2014"].archive_number not in page.content.decode()


def test_hold_page_places_and_lifts(client, listed):
    from retention.models import Hold

    client.force_login(listed.users["档案员"])
    number = listed.items["张伟-2014"].archive_number
    client.post(
        reverse("retention:holds"), {"archive_numbers": number, "reason": "", "scope": "item"}
    )
    assert not Hold.objects.exists()
    client.post(
        reverse("retention:holds"),
        {"archive_numbers": number, "reason": "信访", "scope": "household"},
    )
    hold = Hold.objects.get()
    assert hold.household == listed.households["张伟"]
    client.post(reverse("retention:holds"), {"lift": hold.pk, "lift_reason": "已结"})
    hold.refresh_from_db()
    assert hold.lifted_by == listed.users["档案员"]


def test_supervisor_without_appraise_permission_gets_403(client, listed):
    client.force_login(listed.users["监销甲"])
    url = reverse("retention:appraise", args=(listed.households["李明"].pk,))
    assert client.get(url).status_code == 403


def test_worklist_hook(rf, listed):
    from retention.wagtail_hooks import retention_worklist

    request = rf.get("/")
    request.user = listed.users["档案员"]
    work = retention_worklist(request)
    assert work[0]["count"] == 3 and work[0]["label"] == "到期待鉴定档案"


def test_item_page_button_shows_due_date(rf, listed):
    from retention.wagtail_hooks import retention_item_buttons

    request = rf.get("/")
    request.user = listed.users["档案员"]
    buttons = retention_item_buttons(request, listed.items["张伟-2020"])
    assert [b.label for b in buttons] == ["保管至 2031-01-01"]
