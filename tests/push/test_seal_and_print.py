"""The archive's seal on the access copy, GET …/signatures, print tasks and the 归档章 copy."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest

from archive import certificates
from archive.models import AuditEntry, File, Item, PrintTask
from archive.storage import read_blob
from tests.push import pki
from tests.push.conftest import REPORT, push, report_meta, seal_pending

pytestmark = pytest.mark.django_db


def text_with_annotations(data: bytes) -> str:
    """Page 1's text after flattening its annotations (the seal's stamp appearance)."""
    doc = pdfium.PdfDocument(data)
    doc.init_forms()
    page = doc[0]
    page.flatten()
    page.close()
    buf = io.BytesIO()
    doc.save(buf)
    flat = pdfium.PdfDocument(buf.getvalue())
    return flat[0].get_textpage().get_text_bounded().replace("\r\n", "\n")


@pytest.fixture
def filed(platform_client, signed_report) -> Item:
    response = push(platform_client("420102"), report_meta(), signed_report())
    assert response.status_code == 201, response.content
    assert seal_pending() == ["sealed"]  # the worker's part
    return Item.objects.get(archive_number=response.json()["archive_number"])


def test_seal_is_valid_against_the_archive_certificate_alone(filed):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    sealed = read_blob(filed.files.get(role=File.Role.SIGNED).sha256)
    reader = PdfFileReader(io.BytesIO(sealed))
    signatures = {s.field_name: s for s in reader.embedded_signatures}
    assert set(signatures) == {"PlatformSignature", "HedangSeal"}
    context = ValidationContext(
        trust_roots=[certificates.archive_certificate()], allow_fetching=False
    )
    seal = validate_pdf_signature(signatures["HedangSeal"], context)
    assert seal.bottom_line and seal.trusted and seal.intact
    assert seal.coverage.name == "ENTIRE_FILE"
    assert reader.embedded_signatures[-1].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    # The platform's signature is still intact: the seal is an allowed incremental update.
    platform = validate_pdf_signature(signatures["PlatformSignature"], context)
    assert platform.intact and platform.docmdp_ok


def test_seal_stamp_text_is_chinese(filed):
    sealed = read_blob(filed.files.get(role=File.Role.SIGNED).sha256)
    text = text_with_annotations(sealed)
    assert filed.agency.name in text
    assert "电子档案归档章" in text
    plain = pdfium.PdfDocument(read_blob(filed.files.get(role=File.Role.ORIGINAL).sha256))
    assert "电子档案归档章" not in plain[0].get_textpage().get_text_bounded()


def test_signatures_endpoint(filed, client_for):
    client, user = client_for("420102", "档案管理员")
    response = client.get(f"/api/v1/items/{filed.archive_number}/signatures")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["archive_number"] == filed.archive_number
    roles = {f["role"]: f for f in body["files"]}
    assert set(roles) == {"original", "signed"}  # not the rewritten print copy
    (original,) = roles["original"]["signatures"]
    assert original["signer"] == "湖北核对平台报告签章"
    assert original["valid"] and original["intact"] and not original["tampered"]
    assert original["coverage"] == "ENTIRE_FILE"
    sealed = {s["field"]: s for s in roles["signed"]["signatures"]}
    assert sealed["HedangSeal"]["valid"] and sealed["HedangSeal"]["trusted"]
    assert sealed["HedangSeal"]["signer"] == "核档电子档案归档签章"
    assert sealed["PlatformSignature"]["modification_level"] == "FORM_FILLING"
    assert sealed["PlatformSignature"]["valid"]
    entry = AuditEntry.objects.filter(action="view", actor=user).get()
    assert entry.detail["what"] == "signatures"


def test_signatures_endpoint_scoping_and_permissions(filed, client_for):
    other, _ = client_for("420103", "档案管理员")
    assert other.get(f"/api/v1/items/{filed.archive_number}/signatures").status_code == 404
    # The platform may read back the signature checks of what it pushed (not the files).
    platform_only, _ = client_for("420102", "平台接口", username="p1")
    response = platform_only.get(f"/api/v1/items/{filed.archive_number}/signatures")
    assert response.status_code == 200
    assert {f["role"] for f in response.json()["files"]} == {"original", "signed"}
    assert platform_only.get(f"/api/v1/items/{filed.archive_number}").status_code == 403
    nobody, _ = client_for("420102", None, username="n1")
    assert nobody.get(f"/api/v1/items/{filed.archive_number}/signatures").status_code == 403


def test_signatures_endpoint_reports_an_untrusted_signer(filed, client_for, tmp_path, settings):
    settings.HEDANG_TRUST_ROOTS_DIR = tmp_path / "no-roots"
    client, _ = client_for("420102", "档案管理员")
    body = client.get(f"/api/v1/items/{filed.archive_number}/signatures").json()
    (original,) = body["files"][0]["signatures"]
    assert original["intact"] and not original["trusted"] and not original["valid"]


def test_print_task_and_its_copy(filed, client_for):
    task = PrintTask.objects.get(item=filed)
    assert task.file is None  # not made at push
    client, user = client_for("420102", "档案管理员")
    pending = client.get("/api/v1/print-tasks").json()["results"][0]
    assert pending["file"] is None
    made = client.post(pending["copy_url"])
    assert made.status_code == 200, made.content
    again = client.post(pending["copy_url"]).json()  # made once, then kept
    assert again["file"] == made.json()["file"] is not None
    assert File.objects.filter(item=filed, role=File.Role.PRINT).count() == 1
    task.refresh_from_db()
    copy = read_blob(task.file.sha256)
    text = pdfium.PdfDocument(copy)[0].get_textpage().get_text_bounded()
    for label in ("全宗号", "年度", "件号", "保管期限", "页数"):
        assert label in text
    assert "Z420102" in text and "0001" in text and "D10" in text
    assert filed.archive_number in text.replace("\r\n", "")

    listed = client.get("/api/v1/print-tasks").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert row["archive_number"] == filed.archive_number
    assert row["status"] == "pending"
    assert row["file"]["sha256"] == task.file.sha256
    download = client.get(row["file"]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == copy

    done = client.post(f"/api/v1/print-tasks/{filed.archive_number}/printed")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "printed"
    filed.refresh_from_db()
    assert filed.carrier == Item.Carrier.BOTH
    assert AuditEntry.objects.filter(action="print", actor=user).count() == 1
    assert client.get("/api/v1/print-tasks").json()["count"] == 0
    assert client.get("/api/v1/print-tasks?status=printed").json()["count"] == 1

    other, _ = client_for("420103", "档案管理员")
    assert other.get("/api/v1/print-tasks?status=all").json()["count"] == 0


def test_print_tasks_command_generates_a_missing_copy(filed):
    import json
    from io import StringIO

    from django.core.management import call_command

    task = PrintTask.objects.get(item=filed)
    out = StringIO()
    call_command("print_tasks", "--generate", "--json", stdout=out)

    (row,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert row["archive_number"] == filed.archive_number
    task.refresh_from_db()
    assert task.file is not None and row["print_file"] == task.file.sha256


def test_item_detail_lists_the_files(filed, client_for):
    client, _ = client_for("420102", "档案管理员")
    assert client.post(f"/api/v1/print-tasks/{filed.archive_number}/copy").status_code == 200
    body = client.get(f"/api/v1/items/{filed.archive_number}").json()
    assert {f["role"] for f in body["files"]} == {"original", "signed", "print"}
    assert body["fields"]["report_number"] == REPORT


def test_unsigned_report_is_sealed_too(platform_client):
    response = push(platform_client(), report_meta(), pki.report_pdf(REPORT))
    assert seal_pending() == ["sealed"]
    item = Item.objects.get(archive_number=response.json()["archive_number"])
    sealed = read_blob(item.files.get(role=File.Role.SIGNED).sha256)
    from archive.signing import check_signatures

    (seal,) = check_signatures(sealed).signatures
    assert seal.valid and seal.field == "HedangSeal"
