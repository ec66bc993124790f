"""The pipeline end to end on real OCR: scans become filed, searchable, household-linked items."""

from __future__ import annotations

import pytest
from django.test import override_settings

from archive.models import File, Item
from archive.pdf import text_pdf
from archive.storage import archive_storage, blob_name
from ingest import pipeline
from ingest.models import Document
from tests.ingest.conftest import scan_page

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _home_visit(household, extra: list[str] = ()) -> bytes:
    return scan_page(
        [
            "居民家庭经济状况入户核查表",
            f"户主姓名：{household.head_name}  身份证号码：{household.head_id_number}",
            "家庭住址：武汉市江岸区台北路88号",
            "邻里访问情况：邻居反映家庭生活困难。",
            "核查日期：2024年3月6日",
            *extra,
        ]
    )


def _run(batch, name, data) -> Document:
    (document,) = pipeline.submit(batch, name, data)
    return pipeline.process(document.pk)


def test_scan_with_the_heads_id_is_filed_in_the_right_household(make_household, batch_for):
    household = make_household("420102", "张伟")
    make_household("420102", "张伟华")
    document = _run(batch_for("420102"), "scan.png", _home_visit(household))
    assert document.status == Document.Status.FILED, document.error
    item = document.item
    assert item.household == household
    assert (item.category, item.subtype.name) == ("process", "入户核查表")
    assert item.archive_number.startswith("Z420102-HD·2024-D10-GC-")
    assert item.formation_date.isoformat() == "2024-03-06"
    text = item.pages.get(number=1).text
    assert household.head_name in text and household.head_id_number in text
    roles = set(item.files.values_list("role", flat=True))
    assert {File.Role.ORIGINAL, File.Role.ACCESS, File.Role.THUMBNAIL} <= roles


def test_scan_without_identifiers_goes_to_review(batch_for, hubei):
    document = _run(
        batch_for("420102"), "x.png", scan_page(["居民家庭经济状况入户核查表", "字迹不清"])
    )
    assert document.status == Document.Status.REVIEW
    assert document.item.household is None and document.item.archive_number is None
    assert document.item.subtype.name == "入户核查表"


def test_an_id_in_two_households_goes_to_review_with_both(make_household, batch_for):
    from archive.models import Member

    households = [make_household("420102", "张强"), make_household("420102", "王五")]
    for household in households:
        Member.objects.create(
            household=household, name="赵六", id_number="11010519491231002X", relation="子女"
        )
    page = scan_page(["居民家庭经济状况入户核查表", "成员身份证号码：11010519491231002X"])
    document = _run(batch_for("420102"), "b.png", page)
    assert document.status == Document.Status.REVIEW
    assert sorted(document.item.fields["candidates"]) == sorted(h.pk for h in households)


def test_a_heads_id_decides_before_a_members(make_household, batch_for):
    from archive.models import Member

    head = make_household("420102", "张伟")
    other = make_household("420102", "张强")
    Member.objects.create(
        household=other,
        name="张伟",
        id_number=head.head_id_number,
        relation="父母",
        co_resident=False,
    )
    page = scan_page(["居民家庭经济状况入户核查表", f"身份证号码：{head.head_id_number}"])
    assert _run(batch_for("420102"), "a.png", page).item.household == head


def test_same_file_twice_is_a_duplicate(make_household, batch_for):
    household = make_household("420102", "张伟")
    data = _home_visit(household)
    first = _run(batch_for("420102"), "scan.png", data)
    (again,) = pipeline.submit(batch_for("420102"), "scan-again.png", data)
    assert again.status == Document.Status.DUPLICATE and again.duplicate_of == first.item
    assert Item.objects.count() == 1


def test_born_digital_report_links_by_report_number(make_household, batch_for, hubei):
    from archive.models import Case

    household = make_household("420102", "张伟")
    Case.objects.create(
        household=household,
        agency=hubei["420102"],
        business_type="aa",
        report_number="第42010220240300017aaf1号",
    )
    pdf = text_pdf(
        "居民家庭经济状况核对报告",
        ["报告编号：第42010220240300017aaf1号", "出具日期：2024年3月18日"],
    )
    document = _run(batch_for("420102"), "report.pdf", pdf)
    assert document.status == Document.Status.FILED, document.error
    assert (document.item.household, document.item.subtype.name) == (household, "核对报告")
    assert document.item.carrier == Item.Carrier.ELECTRONIC
    assert document.item.document_number == "第42010220240300017aaf1号"


def test_rejected_file_stores_nothing(batch_for, hubei):
    (document,) = pipeline.submit(batch_for("420102"), "empty.pdf", b"")
    assert document.status == Document.Status.REJECTED and "空文件" in document.error
    assert not archive_storage().exists("blobs")
    assert File.objects.count() == 0


def test_a_failing_step_leaves_a_retryable_attention_state(make_household, batch_for):
    household = make_household("420102", "张伟")
    data = _home_visit(household)
    with override_settings(HEDANG_OCR={"language": "no_such_language"}):
        document = _run(batch_for("420102"), "scan.png", data)
    assert document.status == Document.Status.ATTENTION and "OCR" in document.error
    assert archive_storage().exists(blob_name(document.sha256))  # the original is kept
    pipeline.retry(document)
    document = pipeline.process(document.pk)
    assert document.status == Document.Status.FILED and document.item.household == household
