"""高拍仪采集 through Django's test client: refusals change nothing; a capture is one item."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.models import AuditEntry, Subtype
from archive.storage import read_blob
from ingest.models import Batch, Document, Station
from scanning.views.camera import MAX_PAGES
from tests.scanning.camera.conftest import jpeg, marked_page, pdf_page_images, read_markers

pytestmark = pytest.mark.django_db

URL = "/admin/scanning/camera/"


# Frames of an A4 page: 2400 px along the long side is 205 dpi on the paper (DA/T 31: ≥ 200).
def _pages(*markers: str, size=(1800, 2400)) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f"page-{n:03d}.jpg", jpeg(marked_page(m, size)), "image/jpeg")
        for n, m in enumerate(markers, start=1)
    ]


def _nothing_stored(tmp_path) -> bool:
    stored = tmp_path / "files"
    return (
        not Batch.objects.exists()
        and not Document.objects.exists()
        and not (stored.exists() and any(p.is_file() for p in stored.rglob("*")))
    )


def test_url_name_and_menu(client, make_user):
    assert reverse("scanning:camera") == URL
    client.force_login(make_user("420102"))
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "getUserMedia" in html and 'data-testid="capture"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # The sidebar is JSON in the page; its non-ASCII labels are escaped.
    label = json.dumps("高拍仪采集")[1:-1]
    assert label in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(make_user("420102", "信息管理"))
    assert label not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_user_without_ingest_permission_is_refused(client, make_user, make_household, tmp_path):
    household = make_household("420102")
    client.force_login(make_user("420102", "监督检查"))
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"pages": _pages("A"), "household": household.pk})
    assert response.status_code == 403
    assert _nothing_stored(tmp_path)
    denied = AuditEntry.objects.filter(action="denied", detail__reason="permission")
    assert denied.filter(detail__path=URL, detail__method="POST").exists()
    # …and no entry point is offered to them.
    page = client.get(reverse("archive_household:detail", args=(household.pk,))).content.decode()
    assert URL not in page


def test_household_outside_jurisdiction_is_404_and_nothing_is_taken(
    client, make_user, make_household, tmp_path
):
    elsewhere = make_household("420502", "李强")  # 宜昌, not under 武汉市江岸区
    client.force_login(make_user("420102"))
    assert client.get(URL, {"household": elsewhere.pk}).status_code == 404
    response = client.post(URL, {"pages": _pages("A", "B"), "household": elsewhere.pk})
    assert response.status_code == 404
    assert response.json()["error"] == "未找到该户，或该户不在您的辖区内"
    # The same for the head's ID number typed in, and for a household that does not exist.
    response = client.post(
        URL, {"pages": _pages("A"), "household_id_number": elsewhere.head_id_number}
    )
    assert response.status_code == 404
    assert client.post(URL, {"pages": _pages("A"), "household": 999999}).status_code == 404
    assert _nothing_stored(tmp_path)
    denied = AuditEntry.objects.filter(action="denied", object_type="archive.Household")
    assert denied.filter(object_id=str(elsewhere.pk)).count() >= 2


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"%PDF-1.7 not a picture", "第 2 页不是 JPEG 或 PNG 图像"),
        (b"hello, not an image at all", "第 2 页不是 JPEG 或 PNG 图像"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "图像已损坏或不完整"),
        (b"", "第 2 页不是 JPEG 或 PNG 图像"),
    ],
)
def test_a_page_that_is_not_an_image_is_refused_with_its_reason(
    client, make_user, tmp_path, content, reason
):
    client.force_login(make_user("420102"))
    pages = _pages("A")
    pages.append(SimpleUploadedFile("page-002.jpg", content, "image/jpeg"))
    response = client.post(URL, {"pages": pages})
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert _nothing_stored(tmp_path)


def test_no_pages_too_many_or_too_large_are_refused(client, make_user, tmp_path):
    client.force_login(make_user("420102"))
    response = client.post(URL, {"category": ""})
    assert response.status_code == 400 and "没有采集的页面" in response.json()["error"]

    tiny = jpeg(marked_page("X", (40, 40)))
    many = [SimpleUploadedFile(f"p{n}.jpg", tiny) for n in range(MAX_PAGES + 1)]
    response = client.post(URL, {"pages": many})
    assert response.status_code == 400 and "页数过多" in response.json()["error"]

    huge = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + bytes(26 * 1024 * 1024))
    response = client.post(URL, {"pages": [*_pages("A"), huge]})
    assert response.status_code == 400 and "第 2 页过大" in response.json()["error"]
    assert _nothing_stored(tmp_path)


def test_a_camera_too_coarse_for_200_dpi_on_a4_is_refused_with_the_rule(
    client, make_user, tmp_path
):
    client.force_login(make_user("420102"))
    # 1920×1080, a webcam: 164 dpi along an A4 page's long side.
    response = client.post(URL, {"pages": _pages("A", size=(1080, 1920))})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "DA/T 31-2017" in error and "低于 200 dpi" in error and "164 dpi" in error
    assert _nothing_stored(tmp_path)


def test_subtype_of_another_category_and_a_foreign_station_are_refused(
    client, make_user, hubei, tmp_path
):
    client.force_login(make_user("420102"))
    report = Subtype.objects.get(code="HDB")
    response = client.post(URL, {"pages": _pages("A"), "category": "proof", "subtype": report.pk})
    assert response.status_code == 400 and "子类" in response.json()["error"]
    foreign = Station.objects.create(name="yichang-1", agency=hubei["420502"])
    response = client.post(URL, {"pages": _pages("A"), "station": foreign.pk})
    assert response.status_code == 400 and "扫描站点" in response.json()["error"]
    assert _nothing_stored(tmp_path)


def test_three_pages_become_one_document_in_the_posted_order(
    client,
    make_user,
    make_household,
    hubei,
    isolated_broker,
    django_capture_on_commit_callbacks,
):
    user = make_user("420102")
    household = make_household("420102", "张伟")
    station = Station.objects.create(name="jiangan-1", label="江岸一号窗口", agency=hubei["420102"])
    subtype = Subtype.objects.get(code="SQS")
    client.force_login(user)
    # Different sizes as well as different codes: the order shows in either.
    sizes = [(1800, 2400), (1840, 2480), (1760, 2360)]
    images = [jpeg(marked_page(m, s)) for m, s in zip(["P-3", "P-1", "P-2"], sizes, strict=True)]
    pages = [SimpleUploadedFile(f"page-{n}.jpg", d) for n, d in enumerate(images, start=1)]
    with django_capture_on_commit_callbacks(execute=isolated_broker is not None) as callbacks:
        response = client.post(
            URL,
            {
                "pages": pages,
                "household": household.pk,
                "subtype": subtype.pk,
                "station": station.pk,
            },
        )
    assert response.status_code == 201, response.content.decode()
    batch = Batch.objects.get()
    body = response.json()
    assert body["url"] == reverse("ingest:batch", args=(batch.pk,)) and body["pages"] == 3
    assert (batch.source, batch.agency, batch.created_by) == ("camera", user.agency, user)
    assert (batch.household, batch.subtype, batch.category, batch.station) == (
        household,
        subtype,
        subtype.category,
        station,
    )
    document = Document.objects.get()
    assert document.batch == batch and document.status == Document.Status.QUEUED
    assert document.media_type == "application/pdf" and document.original_name.endswith(".pdf")
    stored = read_blob(document.sha256)
    embedded = pdf_page_images(stored)
    assert embedded == images  # each page's JPEG unchanged, in the posted order
    assert read_markers(embedded) == ["P-3", "P-1", "P-2"]

    entry = AuditEntry.objects.get(action="create", object_type="ingest.Batch")
    assert entry.detail["pages"] == 3 and entry.detail["source"] == "camera"
    assert len(callbacks) == 1  # the document goes to the workers after the commit
    if isolated_broker is not None:
        (message,) = [json.loads(p.read_text()) for p in isolated_broker.iterdir()]
        assert message["headers"]["task"] == "ingest.tasks.ocr_document"
        assert message["headers"]["argsrepr"] == f"({document.pk},)"

    # The batch page (where the capture page sends the user) shows the capture and a message.
    page = client.get(body["url"]).content.decode()
    assert "高拍仪" in page and "已提交高拍仪采集的 3 页" in page


def test_household_page_offers_the_camera_with_the_household(client, make_user, make_household):
    household = make_household("420102", "王芳")
    client.force_login(make_user("420102"))
    page = client.get(reverse("archive_household:detail", args=(household.pk,))).content.decode()
    assert f"{URL}?household={household.pk}" in page and "高拍仪采集" in page
    capture_page = client.get(URL, {"household": household.pk}).content.decode()
    assert 'name="household"' in capture_page and "王芳户" in capture_page
