"""The ingest screens through Django's test client: upload, batches, review, retry, scoping."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.models import AuditEntry, Item, Subtype
from archive.pdf import text_pdf
from ingest import pipeline, review
from ingest.models import Batch, Document

pytestmark = pytest.mark.django_db


def _report_pdf(household, extra: str = "") -> bytes:
    return text_pdf(
        "居民家庭经济状况入户核查表",
        [
            f"户主姓名：{household.head_name}  身份证号码：{household.head_id_number}",
            "核查日期：2024年3月6日",
            extra,
        ],
    )


@pytest.fixture
def enqueued(monkeypatch):
    """The documents handed to the workers (nothing reaches a broker in these tests)."""
    sent = []
    monkeypatch.setattr("ingest.intake.enqueue", sent.append)
    monkeypatch.setattr("ingest.tasks.enqueue", sent.append)
    return sent


def test_upload_creates_a_batch_and_queues_its_documents(
    login, make_user, make_household, enqueued, django_capture_on_commit_callbacks
):
    user = make_user("420102")
    household = make_household("420102", "张伟")
    client = login(user)
    files = [
        SimpleUploadedFile("a.pdf", _report_pdf(household, "第一份")),
        SimpleUploadedFile("b.pdf", _report_pdf(household, "第二份")),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ingest:upload"), {"files": files})
    batch = Batch.objects.get()
    assert response.status_code == 302 and response.url == reverse("ingest:batch", args=[batch.pk])
    assert (batch.source, batch.agency, batch.created_by) == ("upload", user.agency, user)
    documents = list(batch.documents.order_by("pk"))
    assert [d.original_name for d in documents] == ["a.pdf", "b.pdf"]
    assert {d.status for d in documents} == {Document.Status.QUEUED}
    assert [d.pk for d in enqueued] == [d.pk for d in documents]
    assert AuditEntry.objects.filter(action="create", object_type="ingest.Batch").exists()

    # What a worker would do, here and now.
    for document in documents:
        pipeline.process(document.pk)
    progress = client.get(reverse("ingest:batch_progress", args=[batch.pk])).json()
    assert (progress["done"], progress["total"], progress["finished"]) == (2, 2, True)
    assert [d["status"] for d in progress["documents"]] == ["filed", "filed"]
    assert all(d["item_url"] for d in progress["documents"])
    page = client.get(reverse("ingest:batch", args=[batch.pk])).content.decode()
    assert "已归档" in page and re.search(r'data-testid="progress-done"[^>]*>2<', page)
    items = Item.objects.filter(household=household, status=Item.Status.FILED)
    assert items.count() == 2 and all(i.archive_number for i in items)


def test_upload_for_a_named_household_category_and_subtype(
    login, make_user, make_household, enqueued
):
    household = make_household("420102", "李娜")
    client = login(make_user("420102"))
    subtype = Subtype.objects.get(code="CCZ")
    response = client.post(
        reverse("ingest:upload"),
        {
            "files": [SimpleUploadedFile("x.pdf", _report_pdf(household))],
            "household_id_number": household.head_id_number.lower(),
            "category": "proof",
            "subtype": subtype.pk,
        },
    )
    assert response.status_code == 302
    batch = Batch.objects.get()
    assert (batch.household, batch.category, batch.subtype) == (household, "proof", subtype)


def test_upload_refuses_a_subtype_of_another_category_and_an_unknown_household(
    login, make_user, make_household, enqueued
):
    foreign = make_household("420105", "刘洋")
    client = login(make_user("420102"))
    response = client.post(
        reverse("ingest:upload"),
        {
            "files": [SimpleUploadedFile("x.pdf", b"%PDF-1.4")],
            "household_id_number": foreign.head_id_number,
            "category": "report",
            "subtype": Subtype.objects.get(code="RHB").pk,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"辖区内没有户主身份证号为 {foreign.head_id_number} 的户" in page
    assert "不属于「核对报告材料」" in page
    assert not Batch.objects.exists()
    entry = AuditEntry.objects.get(action="denied")
    assert (entry.object_type, entry.object_id) == ("archive.Household", str(foreign.pk))


def test_rejected_empty_file_shows_its_reason_and_is_not_stored(
    login, make_user, make_household, enqueued, tmp_path
):
    household = make_household("420102", "张伟")
    client = login(make_user("420102"))
    response = client.post(
        reverse("ingest:upload"),
        {
            "files": [
                SimpleUploadedFile("empty.pdf", b""),
                SimpleUploadedFile("good.pdf", _report_pdf(household)),
            ]
        },
        follow=True,
    )
    page = response.content.decode()
    assert "empty.pdf" in page and "空文件（0 字节）" in page and "已拒收" in page
    rejected = Document.objects.get(original_name="empty.pdf")
    assert rejected.status == Document.Status.REJECTED and rejected.sha256 == ""
    assert AuditEntry.objects.filter(action="reject", object_id=str(rejected.pk)).exists()
    progress = client.get(reverse("ingest:batch_progress", args=[rejected.batch_id])).json()
    assert (progress["failed"], progress["documents"][0]["error"]) == (1, "空文件（0 字节）")


def test_user_without_add_item_cannot_upload(login, make_user):
    client = login(make_user("420102", "信息管理"))
    response = client.get(reverse("ingest:upload"))
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    entry = AuditEntry.objects.get(action="denied")
    assert entry.detail["permission"] == "archive.add_item"
    assert client.get(reverse("ingest:review_queue")).status_code == 403


def test_menu_shows_the_ingest_items_to_an_archivist_only(login, make_user):
    # The sidebar is JSON in the page; its non-ASCII labels are escaped.
    def menu(user):
        return login(user).get(reverse("wagtailadmin_home")).content.decode()

    labels = [json.dumps(label)[1:-1] for label in ("采集上传", "采集批次", "待确认", "扫描站点")]
    archivist = menu(make_user("420102"))
    assert all(label in archivist for label in labels)
    reader = menu(make_user("420102", "信息管理"))
    assert not any(label in reader for label in labels)


def test_batch_list_shows_the_jurisdictions_batches_only(
    login, make_user, attention_document, hubei
):
    ours = attention_document("420102")
    city = Batch.objects.create(source="upload", agency=hubei["420100"])
    theirs = attention_document("420105")
    page = login(make_user("420102")).get(reverse("ingest:batches")).content.decode()
    assert f"批次 {ours.batch_id}<" in page
    assert f"批次 {theirs.batch_id}<" not in page and f"批次 {city.pk}<" not in page
    city_page = login(make_user("420100")).get(reverse("ingest:batches")).content.decode()
    assert all(f"批次 {b}<" in city_page for b in (ours.batch_id, theirs.batch_id, city.pk))


def test_review_page_shows_pages_identifiers_and_visible_candidates(
    login, make_user, make_household, make_review_item
):
    household = make_household("420102", "张伟")
    other = make_household("420102", "张伟华")
    foreign = make_household("420105", "刘洋")
    item = make_review_item(household, candidates=[household, other, foreign])
    user = make_user("420102", "审核确认")
    user.groups.add(*make_user("420102").groups.all())
    client = login(user)
    page = client.get(reverse("ingest:review", args=[item.pk])).content.decode()
    assert "张伟户" in page and "张伟华户" in page and "刘洋" not in page
    assert household.head_id_number in page  # this role may see whole IDs
    assert "居民家庭经济状况入户核查表" in page
    thumb = item.files.get(role="thumbnail")
    assert reverse("ingest:thumbnail", args=[thumb.pk]) in page
    response = client.get(reverse("ingest:thumbnail", args=[thumb.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert AuditEntry.objects.filter(action="view", object_type="archive.File").exists()
    assert AuditEntry.objects.filter(action="view", object_id=str(item.pk)).exists()


def test_review_page_shows_the_page_quality_warnings(
    login, make_user, make_household, make_review_item
):
    from archive.models import Item

    item = make_review_item(make_household("420102", "张伟"))
    warning = "第 1 页分辨率 250 dpi，低于 300 dpi：小字或密集文字应以 300 dpi 扫描"
    fields = {**item.fields, "page_quality": {"warnings": [warning], "dropped": []}}
    Item.objects.filter(pk=item.pk).update(fields=fields)
    page = login(make_user("420102")).get(reverse("ingest:review", args=[item.pk]))
    assert warning in page.content.decode()
    assert 'data-testid="page-quality-warnings"' in page.content.decode()


def test_masked_ids_for_a_role_without_full_id_permission(
    login, make_user, make_household, make_review_item
):
    from django.contrib.auth.models import Permission

    household = make_household("420102", "张伟")
    item = make_review_item(household, candidates=[household])
    user = make_user("420102")
    user.groups.clear()
    perms = Permission.objects.filter(
        codename__in=["change_item", "view_item", "view_file", "access_admin"]
    )
    user.user_permissions.add(*perms)
    page = login(user).get(reverse("ingest:review", args=[item.pk])).content.decode()
    # The page image and its text show what the paper shows; the structured fields are masked.
    decision = page[page.index('data-testid="identifiers"') : page.index("</form>")]
    assert household.head_id_number not in decision
    assert decision.count(household.head_id_number[:6] + "********") == 2


def test_accept_files_the_item_with_an_archive_number_and_an_audit_entry(
    login, make_user, make_household, make_review_item
):
    household = make_household("420102", "张伟")
    other = make_household("420102", "张伟华")
    first = make_review_item(household, candidates=[household, other])
    second = make_review_item(other, candidates=[other])
    client = login(make_user("420102"))
    subtype = Subtype.objects.get(code="RHB")
    response = client.post(
        reverse("ingest:review", args=[first.pk]),
        {"household": household.pk, "category": "process", "subtype": subtype.pk},
    )
    assert response.status_code == 302
    assert response.url == reverse("ingest:review", args=[second.pk])  # the next in the queue
    first.refresh_from_db()
    assert first.status == Item.Status.FILED
    assert first.archive_number.startswith("Z420102-HD·2024-D10-GC-")
    assert (first.household, first.agency, first.subtype) == (household, household.agency, subtype)
    assert first.title == "张伟户入户核查表"
    assert set(first.ingest_documents.values_list("status", flat=True)) == {"filed"}
    entry = AuditEntry.objects.get(action="change", detail__review="accepted")
    assert entry.object_id == str(first.pk) and entry.actor.agency.region_code == "420102"
    assert entry.detail["archive_number"] == first.archive_number
    # A decided item is not offered for review again.
    again = client.get(reverse("ingest:review", args=[first.pk]))
    assert again.url == reverse("archive_item:detail", args=[first.pk])
    household_page = client.get(reverse("archive_household:detail", args=[household.pk]))
    assert first.archive_number in household_page.content.decode()
    # The last one goes back to the (now empty) queue.
    response = client.post(
        reverse("ingest:review", args=[second.pk]),
        {"other_id_number": other.head_id_number, "category": "process", "subtype": subtype.pk},
    )
    assert response.url == reverse("ingest:review_queue")
    assert "没有待确认的件" in client.get(response.url).content.decode()


def test_accepting_into_a_household_outside_the_county_is_refused(
    login, make_user, make_household, make_review_item
):
    household = make_household("420102", "张伟")
    foreign = make_household("420105", "刘洋")
    item = make_review_item(household, candidates=[household])
    user = make_user("420102")
    client = login(user)
    subtype = Subtype.objects.get(code="RHB")
    before = Item.objects.filter(pk=item.pk).values().get()
    response = client.post(
        reverse("ingest:review", args=[item.pk]),
        {"other_id_number": foreign.head_id_number, "category": "process", "subtype": subtype.pk},
    )
    assert response.status_code == 400
    assert f"辖区内没有户主身份证号为 {foreign.head_id_number} 的户" in response.content.decode()
    # A candidate that is not on the page (a forged form) is refused too.
    forged = client.post(
        reverse("ingest:review", args=[item.pk]),
        {"household": foreign.pk, "category": "process", "subtype": subtype.pk},
    )
    assert forged.status_code == 400
    # And the service itself refuses, whoever calls it.
    with pytest.raises(review.ReviewError, match="不在您的辖区内"):
        review.accept(item, household=foreign, category="process", subtype=subtype, user=user)
    assert Item.objects.filter(pk=item.pk).values().get() == before
    assert not Item.objects.filter(household=foreign, status="filed").exists()
    denied = AuditEntry.objects.filter(action="denied", object_type="archive.Household")
    assert denied.filter(object_id=str(foreign.pk)).exists()


def test_accept_refuses_a_subtype_of_another_category_and_changes_nothing(
    make_user, make_household, make_review_item
):
    household = make_household("420102", "张伟")
    item = make_review_item(household, candidates=[household])
    with pytest.raises(review.ReviewError, match="不属于"):
        review.accept(
            item,
            household=household,
            category="report",
            subtype=Subtype.objects.get(code="RHB"),
            user=make_user("420102"),
        )
    item.refresh_from_db()
    assert (item.status, item.household, item.archive_number) == ("review", None, None)


def test_county_user_cannot_open_another_countys_review_item_or_batch(
    login, make_user, make_household, make_review_item
):
    foreign = make_household("420105", "刘洋")
    item = make_review_item(foreign, candidates=[foreign])
    batch = item.ingest_documents.get().batch
    thumb = item.files.get(role="thumbnail")
    client = login(make_user("420102"))
    targets = [
        ("archive.Item", item.pk, reverse("ingest:review", args=[item.pk])),
        ("ingest.Batch", batch.pk, reverse("ingest:batch", args=[batch.pk])),
        ("ingest.Batch", batch.pk, reverse("ingest:batch_progress", args=[batch.pk])),
        ("archive.File", thumb.pk, reverse("ingest:thumbnail", args=[thumb.pk])),
    ]
    for object_type, pk, url in targets:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "刘洋" not in response.content.decode()
        entry = AuditEntry.objects.get(action="denied", detail__path=url)
        assert (entry.object_type, entry.object_id) == (object_type, str(pk))
        assert entry.detail["reason"] == "out_of_scope_or_missing"
    response = client.post(
        reverse("ingest:review", args=[item.pk]),
        {"household": foreign.pk, "category": "process", "subtype": 1},
    )
    assert response.status_code == 404
    assert Item.objects.get(pk=item.pk).status == Item.Status.REVIEW
    assert "刘洋" not in client.get(reverse("ingest:review_queue")).content.decode()


def test_retry_puts_an_attention_document_back_in_the_queue(
    login, make_user, attention_document, enqueued, django_capture_on_commit_callbacks
):
    document = attention_document("420102")
    client = login(make_user("420102"))
    queue_page = client.get(reverse("ingest:review_queue")).content.decode()
    assert "broken.png" in queue_page and "OCR 超时" in queue_page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ingest:retry", args=[document.pk]),
            {"next": reverse("ingest:review_queue")},
        )
    assert response.status_code == 302 and response.url == reverse("ingest:review_queue")
    document.refresh_from_db()
    assert (document.status, document.error) == (Document.Status.QUEUED, "")
    assert [d.pk for d in enqueued] == [document.pk]
    assert AuditEntry.objects.filter(
        action="change", object_type="ingest.Document", detail__retry=True
    ).exists()
    # Only documents needing attention are retried; another county's is not even found.
    again = client.post(reverse("ingest:retry", args=[document.pk]), follow=True)
    assert "不能重试" in again.content.decode()
    foreign = attention_document("420105")
    assert client.post(reverse("ingest:retry", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Document.Status.ATTENTION
    assert client.get(reverse("ingest:retry", args=[document.pk])).status_code == 405
