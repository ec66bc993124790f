"""Stacks with separator sheets through the ingest pipeline: one item per sheet, filed under
the sheet's household and subtype; uncertain stacks wait for the archivist."""

from __future__ import annotations

import io
import json

import pikepdf
import pypdfium2 as pdfium
import pytest
from django.core.management import call_command

from archive.models import File, Item
from archive.pdf import text_pdf
from ingest import pipeline
from ingest.models import Batch, Document, DocumentPart

pytestmark = pytest.mark.django_db


def _sheet_pdf(tmp_path, household, subtype: str) -> bytes:
    out = tmp_path / f"sheet-{household.pk}-{subtype}.pdf"
    call_command(
        "cover_sheet", "--household", household.head_id_number, "--subtype", subtype, "-o", out
    )
    return out.read_bytes()


def _concat(pdfs: list[bytes]) -> bytes:
    out = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(p)) for p in pdfs]
    for source in sources:
        out.pages.extend(source.pages)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _page(title: str, household) -> bytes:
    return text_pdf(title, [f"户主姓名：{household.head_name}", "核查日期：2024年3月6日"])


def _ingest(hubei, data: bytes, name: str = "stack.pdf") -> Document:
    batch = Batch.objects.create(source=Batch.Source.COMMAND, agency=hubei["420000"])
    (document,) = pipeline.submit(batch, name, data)
    return pipeline.process(document.pk)


def test_a_born_digital_stack_becomes_one_filed_item_per_sheet(make_household, hubei, tmp_path):
    zhang, wang = make_household("420102", "张伟"), make_household("420103", "王芳")
    stack = _concat(
        [
            _sheet_pdf(tmp_path, zhang, "SQS"),
            _page("信息核对授权书", zhang),
            _page("信息核对授权书（续）", zhang),
            _sheet_pdf(tmp_path, wang, "入户核查表"),
            _page("入户核查表", wang),
        ]
    )
    document = _ingest(hubei, stack)
    assert document.status == Document.Status.FILED, document.error
    parts = list(DocumentPart.objects.filter(document=document).select_related("item"))
    assert [(p.first_page, p.last_page, p.separator_page) for p in parts] == [(2, 3, 1), (5, 5, 4)]
    first, second = (p.item for p in parts)
    assert document.item == first and document.items() == [first, second]
    assert (first.household, first.subtype.code, first.page_count) == (zhang, "SQS", 2)
    assert (second.household, second.subtype.code, second.page_count) == (wang, "RHB", 1)
    for item in (first, second):
        assert item.status == Item.Status.FILED and item.archive_number
        assert "分隔页" not in "".join(item.pages.values_list("text", flat=True))
        access = item.files.get(role=File.Role.ACCESS)
        original = item.files.get(role=File.Role.ORIGINAL)
        assert original.sha256 == document.sha256
        assert item.files.filter(role=File.Role.THUMBNAIL).count() == item.page_count
        from archive.storage import read_blob

        assert len(pdfium.PdfDocument(read_blob(access.sha256))) == item.page_count
    assert first.fields["source"]["first_page"] == 2 and first.fields["source"]["last_page"] == 3


def test_pages_before_the_first_sheet_send_the_stack_to_review_with_a_proposal(
    make_household, hubei, tmp_path
):
    zhang = make_household("420102", "张伟")
    stack = _concat(
        [_page("其他材料", zhang), _sheet_pdf(tmp_path, zhang, "RHB"), _page("入户核查表", zhang)]
    )
    document = _ingest(hubei, stack)
    assert document.status == Document.Status.REVIEW
    item = document.item
    assert item.archive_number is None and item.page_count == 3
    proposal = item.fields["proposed_split"]
    assert proposal["separators"] == [2]
    assert [(p["first_page"], p["last_page"], p["subtype"]) for p in proposal["parts"]] == [
        (1, 1, None),
        (3, 3, "RHB"),
    ]
    assert "第一张分隔页之前有材料页" in proposal["problems"]


def test_a_sheet_for_an_unknown_household_is_uncertain(make_household, hubei, tmp_path):
    zhang = make_household("420102", "张伟")
    sheet = _sheet_pdf(tmp_path, zhang, "RHB")
    zhang.items.all().delete()
    zhang.members.all().delete()
    zhang.delete()
    document = _ingest(hubei, _concat([sheet, _page("入户核查表", zhang)]))
    assert document.status == Document.Status.REVIEW
    assert "不存在" in "".join(document.item.fields["proposed_split"]["problems"])


def test_an_ordinary_scan_is_not_split(make_household, hubei):
    zhang = make_household("420102", "张伟")
    document = _ingest(hubei, _page("入户核查表", zhang))
    assert "proposed_split" not in document.item.fields
    assert not DocumentPart.objects.filter(document=document).exists()


def test_ingest_command_reports_the_stack(make_household, hubei, tmp_path, capsys):
    zhang = make_household("420102", "张伟")
    path = tmp_path / "stack.pdf"
    path.write_bytes(_concat([_sheet_pdf(tmp_path, zhang, "HDB"), _page("核对报告", zhang)]))
    capsys.readouterr()
    call_command("ingest", str(path), "--sync", "--json")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["status"] == "filed"
    assert line["items"][0]["subtype"] == "核对报告" and line["items"][0]["pages"] == 1


def test_a_sheet_whose_code_cannot_be_read_is_uncertain(make_household, hubei, tmp_path):
    zhang = make_household("420102", "张伟")
    lost = text_pdf("分隔页", ["（扫描分隔用，不归档）", "二维码被遮挡"])
    stack = _concat(
        [_sheet_pdf(tmp_path, zhang, "RHB"), _page("入户核查表", zhang), lost, _page("x", zhang)]
    )
    document = _ingest(hubei, stack)
    assert document.status == Document.Status.REVIEW
    proposal = document.item.fields["proposed_split"]
    assert proposal["separators"] == [1, 3]
    assert "二维码无法识别" in "".join(proposal["problems"])
    assert document.items() == [document.item]
