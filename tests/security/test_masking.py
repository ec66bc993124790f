"""Masking (issue 12, medium): one rule, archive.masking.mask_text, wherever an ID can show
for a role without the full-ID permission (信息管理, 监督检查): item page OCR text, operation
log, search snippets cut at the window edge, full-width and spaced IDs; authorization numbers
shown whole everywhere; downloads of originals only with the permission or a granting hook."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from wagtail import hooks

from archive import audit
from archive.filing import file_item
from archive.identifiers import mask_resident_id
from archive.masking import mask_text
from archive.models import Case, Page
from archive.views.households import household_url

pytestmark = pytest.mark.django_db

ID = "420102198503151234"
FULL_WIDTH = ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
AUTH = "居经授第420102202400000123号"


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        (f"户主 {ID} 。", ID[6:14]),
        (f"身份证：{FULL_WIDTH}", FULL_WIDTH[6:14]),
        ("身份证 420102 19850315 1234", "19850315"),
        ("身份证 4201-0219-8503-1512-34", "0219-8503"),
        ("42010219850315123x", "19850315"),
        (f"{ID[2:]} 后文", ID[2:14]),  # cut at the start of a snippet window
        (f"前文 {ID[:16]}", ID[6:16]),  # cut at its end
        (f"…{ID[4:]}", ID[6:14]),
    ],
)
def test_one_rule_masks_every_spelling(text, hidden):
    shown = mask_text(text, force=True)
    assert hidden not in shown
    digits = re.sub(r"\D", "", shown.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    assert ID[6:14] not in digits


def test_document_numbers_are_not_personal_data():
    for text in (AUTH, "第42010220240300017aaf1号", "Z420102-HD·2024-D10-GC-0001"):
        assert mask_text(f"编号 {text} 。", force=True) == f"编号 {text} 。"


@pytest.fixture
def filed(make_household, make_item):
    household = make_household("420102", "张伟")
    item = file_item(make_item(household, "SQS"))
    text = f"户主 张伟 身份证 {household.head_id_number} 配偶 {FULL_WIDTH} 子 420102 20120901 0321"
    Page.objects.create(item=item, number=1, text=text)
    Case.objects.create(
        household=household, agency=household.agency, business_type="aa", authorization_number=AUTH
    )
    return household, item


def test_item_page_ocr_text_is_masked(client, make_user, filed):
    household, item = filed
    client.force_login(make_user("420102", "信息管理"))
    page = client.get(reverse("archive_item:detail", args=(item.pk,)))
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    assert mask_resident_id(household.head_id_number) in html
    for secret in (
        household.head_id_number,
        FULL_WIDTH,
        "20120901",
        household.head_id_number[6:14],
    ):
        assert secret not in html


def test_archivist_sees_the_ocr_text_whole(client, make_user, filed):
    household, item = filed
    client.force_login(make_user("420102", "档案管理员"))
    html = client.get(reverse("archive_item:detail", args=(item.pk,))).content.decode()
    assert household.head_id_number in html


def test_operation_log_paths_queries_and_details_are_masked(client_for, filed):
    household, _ = filed
    archivist, _ = client_for("420102", "档案管理员")
    archivist.get(f"/api/v1/households/{household.head_id_number}?q={household.head_id_number}")
    audit.record(
        audit.Action.VIEW,
        household,
        object_id=household.head_id_number,
        detail={"query": f"身份证 {FULL_WIDTH}", "path": f"/x/{household.head_id_number}"},
    )
    inspector, _ = client_for("420102", "监督检查")
    body = inspector.get("/api/v1/audit?limit=200").content.decode()
    assert household.head_id_number not in body
    assert FULL_WIDTH not in body
    assert mask_resident_id(household.head_id_number) in body


def test_admin_operation_log_is_masked(client, make_user, filed):
    household, _ = filed
    archivist = make_user("420102", "档案管理员")
    entry = audit.record(
        audit.Action.VIEW,
        household,
        user=archivist,
        object_id=household.head_id_number,
        object_repr=f"查询 {household.head_id_number}",
        detail={"q": f"{FULL_WIDTH}"},
    )
    client.force_login(make_user("420102", "监督检查"))
    for url in (
        reverse("archive_auditentry:index"),
        reverse("archive_auditentry:detail", args=(entry.pk,)),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert household.head_id_number not in html and FULL_WIDTH not in html, url


def test_search_snippets_never_cut_an_id_open(make_user, make_household, make_item):
    from search import service

    household = make_household("420102", "张伟")
    inspector = make_user("420102", "信息管理")
    for shift in range(0, 90, 3):
        item = file_item(make_item(household, "SQS"))
        text = "甲" * 10 + "核对关键词" + "乙" * shift + household.head_id_number + "丙" * 40
        Page.objects.create(item=item, number=1, text=text)
        service.index_item(item)
    result = service.search("核对关键词", inspector, limit=50, facets=False)
    assert result.hits
    for hit in result.hits:
        digits = re.sub(r"\D", "", hit.snippet)
        assert household.head_id_number[6:14] not in digits, hit.snippet
        assert not re.search(r"\d{7,}", hit.snippet), hit.snippet


def test_authorization_number_is_one_rule(client, make_user, filed):
    """Shown whole on the household page and in search alike."""
    from search import service

    household, item = filed
    service.index_item(item)
    user = make_user("420102", "信息管理")
    client.force_login(user)
    page = client.get(household_url(household))
    assert page.status_code == 200
    assert AUTH in page.content.decode()
    hit = service.search(AUTH, user, facets=False)
    assert all("*" not in h.snippet or AUTH in h.snippet for h in hit.hits)


def test_original_download_needs_the_permission_or_a_hook(client_for, filed, denials):
    household, item = filed
    original = item.files.get(role="original")
    url = f"/api/v1/items/{item.archive_number}/files/{original.sha256}"
    reader, user = client_for("420102", "信息管理")
    refused = reader.get(url)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] in ("original_access", "permission_denied")
    assert denials(actor=user).exists()

    def loan_grants(u, it):
        return u.pk == user.pk and it.pk == item.pk

    with hooks.register_temporarily("hedang_original_access", loan_grants):
        granted = reader.get(url)
        assert granted.status_code == 200
        assert b"".join(granted.streaming_content)
    archivist, _ = client_for("420102", "档案管理员")
    assert archivist.get(url).status_code == 200


def test_admin_download_needs_the_permission_too(client, make_user, filed):
    _, item = filed
    original = item.files.get(role="original")
    client.force_login(make_user("420102", "信息管理"))
    response = client.get(reverse("archive_item:download", args=(original.pk,)))
    assert response.status_code == 403
