"""The household and item pages carry scanning's buttons, added through archive's hooks."""

import pytest
from django.urls import reverse

from archive.filing import file_item

pytestmark = pytest.mark.django_db


def test_household_page_offers_printing_and_cover_sheets(
    client, make_user, make_household, make_item
):
    household = make_household("420102", "张伟")
    file_item(make_item(household, "SQS"))
    client.force_login(make_user("420102", "档案管理员"))
    page = client.get(reverse("archive_household:detail", args=(household.pk,))).content.decode()
    assert reverse("scanning:print_preview", args=("household-catalogue", household.pk)) in page
    assert reverse("scanning:cover_sheet", args=(household.pk,)) in page
    assert "打印归档章" in page


def test_home_visit_item_offers_media_and_quality(client, make_user, make_household, make_item):
    household = make_household("420102", "张伟")
    visit = file_item(make_item(household, "RHB"))
    report = file_item(make_item(household, "HDB"))
    client.force_login(make_user("420102", "档案管理员"))
    visit_page = client.get(reverse("archive_item:detail", args=(visit.pk,))).content.decode()
    assert reverse("scanning:home_visit_media", args=(visit.pk,)) in visit_page
    assert reverse("scanning:item_quality", args=(visit.pk,)) in visit_page
    report_page = client.get(reverse("archive_item:detail", args=(report.pk,))).content.decode()
    assert "入户照片和视频" not in report_page


def test_reader_without_print_rights_gets_no_cover_sheet_button(client, make_user, make_household):
    household = make_household("420102", "张伟")
    client.force_login(make_user("420102", "监督检查"))
    page = client.get(reverse("archive_household:detail", args=(household.pk,))).content.decode()
    assert reverse("scanning:cover_sheet", args=(household.pk,)) not in page
