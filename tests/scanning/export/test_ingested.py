"""End to end: JPEG scans joined and ingested (real OCR), filed, then exported unchanged."""

from __future__ import annotations

import pytest

from ingest import pipeline
from ingest.models import Document
from ingest.stacks import join_page_images
from scanning import export
from tests.ingest.conftest import scan_page

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_ingested_jpeg_scans_export_byte_for_byte(make_household, batch_for, tmp_path):
    household = make_household("420102", "张伟")
    scans = [
        scan_page(
            [
                "居民家庭经济状况入户核查表",
                f"户主姓名：{household.head_name}  身份证号码：{household.head_id_number}",
                "核查日期：2024年3月6日",
            ],
            fmt="JPEG",
        ),
        scan_page(["邻里访问情况：邻居反映家庭生活困难。", "核查人：李娜"], fmt="JPEG"),
    ]
    (document,) = pipeline.submit(batch_for("420102"), "入户核查表.pdf", join_page_images(scans))
    document = pipeline.process(document.pk)
    assert document.status == Document.Status.FILED, document.error
    item = document.item

    result = export.item_page_images(item)
    stem = export.safe_stem(item.archive_number)
    assert [i.name for i in result.images] == [f"{stem}-001.jpg", f"{stem}-002.jpg"]
    assert [i.data for i in result.images] == scans
    assert result.rendered == []


@pytest.fixture
def batch_for(hubei):
    from ingest.models import Batch

    def make(region_code: str = "420102"):
        return Batch.objects.create(source=Batch.Source.COMMAND, agency=hubei[region_code])

    return make
