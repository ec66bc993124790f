"""The 确认拆分 page through the Django client: scope, permission, the form round trip."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import AuditEntry, Item, Subtype
from ingest.models import Document

pytestmark = pytest.mark.django_db


def _url(item) -> str:
    return reverse("scanning:split", args=(item.pk,))


def _form(stack, **changes) -> dict:
    """The corrected split as the page posts it (page 1: 张伟's 其他证明)."""
    qtz, sqs, rhb = (Subtype.objects.get(code=c).pk for c in ("QTZ", "SQS", "RHB"))
    data = {
        "role-1": "start", "household-1": stack.zhang.pk, "subtype-1": qtz,
        "role-2": "sep",
        "role-3": "start", "household-3": stack.zhang.pk, "subtype-3": sqs,
        "role-4": "cont",
        "role-5": "sep",
        "role-6": "start", "household-6": stack.wang.pk, "subtype-6": rhb,
    }  # fmt: skip
    data.update(changes)
    return {k: str(v) for k, v in data.items() if v is not None}


def test_the_page_shows_problems_thumbnails_and_the_proposal(uncertain_stack, make_user, login):
    stack = uncertain_stack()
    client = login(make_user("420102"))
    response = client.get(_url(stack.item))
    assert response.status_code == 200
    html = response.content.decode()
    assert "第一张分隔页之前有材料页" in html
    assert html.count('data-testid="thumbnail"') == 6
    assert html.count(reverse("ingest:thumbnail", args=(0,)).replace("/0/", "/")) >= 6
    pages = response.context["pages"]
    assert [(p.role, p.part) for p in pages] == [
        ("start", 1), ("sep", None), ("start", 2), ("cont", 2), ("sep", None), ("start", 3)
    ]  # fmt: skip
    sqs = str(Subtype.objects.get(code="SQS").pk)
    assert (pages[2].household, pages[2].subtype) == (str(stack.zhang.pk), sqs)
    assert pages[5].household == str(stack.wang.pk)
    assert "确认拆分并归档" in html
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.VIEW, object_id=str(stack.item.pk), detail__split="opened"
    ).exists()


def test_the_review_page_and_the_item_page_lead_to_the_split(
    uncertain_stack, make_user, login, make_review_item, make_household
):
    stack = uncertain_stack()
    client = login(make_user("420102"))
    review = client.get(reverse("ingest:review", args=(stack.item.pk,))).content.decode()
    assert f'href="{_url(stack.item)}"' in review and "确认拆分" in review
    detail = client.get(reverse("archive_item:detail", args=(stack.item.pk,))).content.decode()
    assert _url(stack.item) in detail
    ordinary = make_review_item(make_household("420102", "赵六", birth="19900101"))
    page = client.get(reverse("ingest:review", args=(ordinary.pk,))).content.decode()
    assert "scanning/items" not in page and 'data-testid="review-buttons"' not in page


def test_another_countys_user_gets_404_and_an_audit_entry(uncertain_stack, make_user, login):
    stack = uncertain_stack()
    client = login(make_user("420103"))
    for response in (client.get(_url(stack.item)), client.post(_url(stack.item), _form(stack))):
        assert response.status_code == 404
    denied = AuditEntry.objects.filter(
        action=AuditEntry.Action.DENIED, object_type="archive.Item", object_id=str(stack.item.pk)
    )
    assert denied.count() == 2
    assert denied.first().detail["reason"] == "out_of_scope_or_missing"
    stack.item.refresh_from_db()
    assert stack.item.status == Item.Status.REVIEW


def test_a_user_without_the_review_permission_is_refused(uncertain_stack, make_user, login):
    stack = uncertain_stack()
    client = login(make_user("420102", role="委托受理"))
    assert client.get(_url(stack.item)).status_code == 403
    assert client.post(_url(stack.item), _form(stack)).status_code == 403
    assert (
        AuditEntry.objects.filter(
            action=AuditEntry.Action.DENIED,
            object_id=str(stack.item.pk),
            detail__reason="permission",
        ).count()
        == 2
    )
    stack.item.refresh_from_db()
    assert stack.item.status == Item.Status.REVIEW


def test_posting_the_split_files_the_items(uncertain_stack, make_user, login):
    stack = uncertain_stack()
    client = login(make_user("420102"))
    old_pk = stack.item.pk
    response = client.post(_url(stack.item), _form(stack), follow=True)
    stack.document.refresh_from_db()
    items = stack.document.items()
    assert [(i.household, i.subtype.code, i.page_count) for i in items] == [
        (stack.zhang, "QTZ", 1), (stack.zhang, "SQS", 2), (stack.wang, "RHB", 1)
    ]  # fmt: skip
    assert response.redirect_chain[-1][0] == reverse("archive_item:detail", args=(items[0].pk,))
    html = response.content.decode()
    assert "已拆分归档 3 件" in html
    assert all(i.archive_number in html for i in items)
    assert stack.document.status == Document.Status.FILED
    assert not Item.objects.filter(pk=old_pk).exists()
    # The page of a stack already split answers like any missing item.
    assert client.get(reverse("scanning:split", args=(old_pk,))).status_code == 404


def test_a_resident_id_typed_in_names_the_household(uncertain_stack, make_user, login):
    stack = uncertain_stack()
    client = login(make_user("420102"))
    form = _form(stack, **{"household-1": "", "other-1": stack.wang.head_id_number})
    assert client.post(_url(stack.item), form).status_code == 302
    stack.document.refresh_from_db()
    assert stack.document.items()[0].household == stack.wang


def test_errors_are_shown_in_chinese_and_nothing_changes(
    uncertain_stack, make_user, make_household, login
):
    stack = uncertain_stack()
    elsewhere = make_household("420103", "李强")
    client = login(make_user("420102"))
    cases = [
        ({"household-1": ""}, "请为第 1 件选择户"),
        ({"subtype-3": ""}, "请为第 2 件选择子类"),
        ({"household-1": "", "other-1": "11010519491231002X"}, "辖区内没有户主身份证号为"),
        ({"household-1": "", "other-1": "12345"}, "身份证号无效"),
        ({"household-6": elsewhere.pk}, "不在您的辖区"),
    ]
    for changes, message in cases:
        response = client.post(_url(stack.item), _form(stack, **changes))
        assert response.status_code == 400, changes
        assert message in response.content.decode(), changes
        # What the archivist chose is kept on the page.
        assert [p.role for p in response.context["pages"]][:3] == ["start", "sep", "start"]
    stack.item.refresh_from_db()
    stack.document.refresh_from_db()
    assert stack.item.status == Item.Status.REVIEW
    assert stack.document.status == Document.Status.REVIEW
    assert not Item.objects.filter(status=Item.Status.FILED, household=stack.zhang).exists()
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DENIED,
        object_type="archive.Household",
        object_id=str(elsewhere.pk),
    ).exists()


def test_a_page_continuing_nothing_begins_an_item(uncertain_stack, make_user, login):
    """Without JavaScript a page after a sheet left on 接上一页 still begins its own item."""
    stack = uncertain_stack()
    client = login(make_user("420102"))
    form = _form(stack, **{"role-6": "cont"})
    assert client.post(_url(stack.item), form).status_code == 302
    stack.document.refresh_from_db()
    assert [i.subtype.code for i in stack.document.items()] == ["QTZ", "SQS", "RHB"]


def test_the_formation_date_of_an_undated_part_is_given_on_the_page(
    uncertain_stack, make_user, login
):
    import datetime as dt

    stack = uncertain_stack(undated_first=True)
    client = login(make_user("420102"))
    page = client.get(_url(stack.item)).content.decode()
    assert 'name="date-1"' in page and "形成日期" in page
    response = client.post(_url(stack.item), _form(stack))
    assert response.status_code == 400
    assert "没有印制日期" in response.content.decode()
    response = client.post(_url(stack.item), _form(stack, **{"date-1": "2023年5月4日"}))
    assert response.status_code == 400
    assert "应为 年-月-日" in response.content.decode()
    assert response.context["pages"][0].date == "2023年5月4日"  # kept for correction
    stack.item.refresh_from_db()
    assert stack.item.status == Item.Status.REVIEW

    assert (
        client.post(_url(stack.item), _form(stack, **{"date-1": "2023-05-04"})).status_code == 302
    )
    stack.document.refresh_from_db()
    first = stack.document.items()[0]
    assert first.formation_date == dt.date(2023, 5, 4)
    assert first.fields["provenance"]["formation_date"] == "review"
