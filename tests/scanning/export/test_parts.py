"""A part of a scanned stack shares the stack's original: exporting it, or checking its page
quality again, must take the part's own pages, not the whole stack's."""

from __future__ import annotations

import pytest

from archive.models import File, Item
from archive.storage import read_blob
from ingest.models import Document
from scanning import export, quality
from tests.scanning.split.conftest import REGION, ingest
from tests.scanning.test_stack import _concat, _page, _sheet_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_parts(make_household, hubei, tmp_path):
    """sheet 张伟/SQS, 授权书, 授权书（续）, sheet 王芳/RHB, 入户核查表 → two filed items."""
    zhang = make_household(REGION, "张伟")
    wang = make_household(REGION, "王芳", birth="19800101")
    master = _concat(
        [
            _sheet_pdf(tmp_path, zhang, "SQS"),
            _page("信息核对授权书", zhang),
            _page("信息核对授权书（续）", zhang),
            _sheet_pdf(tmp_path, wang, "RHB"),
            _page("入户核查表", wang),
        ]
    )
    document = ingest(hubei, master)
    assert document.status == Document.Status.FILED, document.error
    items = sorted(document.items(), key=lambda i: i.fields["source"]["first_page"])
    return master, items


def test_export_of_a_part_has_only_its_own_pages(two_parts):
    master, (first, second) = two_parts
    whole = export.pdf_page_images(master)
    assert len(whole) == 5
    result = export.item_page_images(first)
    assert [i.page for i in result.images] == [1, 2]
    assert [i.data for i in result.images] == [whole[1][0], whole[2][0]]
    assert result.images[0].name.startswith(export.safe_stem(first.archive_number) + "-001")
    (only,) = export.item_page_images(second).images
    assert only.data == whole[4][0]


def test_quality_recheck_of_a_part_numbers_its_pages_as_the_originals(two_parts):
    _master, (first, second) = two_parts
    assert quality.master_pages(first) == [2, 3] and quality.master_pages(second) == [5]
    access = first.files.get(role=File.Role.ACCESS)
    assert read_blob(access.sha256)  # the part's own PDF is what is checked
    result = quality.check_item(first)
    assert [p["number"] for p in result["pages"]] == [2, 3]
    assert result["scanned"] == 0  # born-digital pages: nothing to measure
    assert Item.objects.get(pk=first.pk).fields["page_quality"] == result
