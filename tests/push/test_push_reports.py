"""POST /api/v1/reports: filing, the receipt, idempotency, signatures and print tasks."""

from __future__ import annotations

import datetime as dt

import pytest

from archive.models import AuditEntry, Case, File, Household, Item, PlatformReceipt, PrintTask
from archive.storage import read_blob
from tests.push import pki
from tests.push.conftest import (
    AUTH,
    FATHER_ID,
    HEAD_ID,
    REPORT,
    SPOUSE_ID,
    push,
    report_meta,
    seal_pending,
)

pytestmark = pytest.mark.django_db

RECEIPT_KEYS = {"archive_number", "household", "sha256", "signature", "archived_at", "seal"}


def test_push_files_the_report(platform_client, signed_report, snapshot):
    client = platform_client("420102")
    pdf = signed_report()
    response = push(client, report_meta(), pdf)
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert set(receipt) == RECEIPT_KEYS
    assert receipt["household"] == HEAD_ID
    assert receipt["signature"] == {
        "present": True,
        "valid": True,
        "signer": "湖北核对平台报告签章",
    }
    assert receipt["archive_number"] == "Z420102-HD·2024-D10-BG-0001"
    dt.datetime.fromisoformat(receipt["archived_at"])

    item = Item.objects.get(archive_number=receipt["archive_number"])
    assert (item.category, item.subtype.name) == ("report", "核对报告")
    assert item.document_number == REPORT
    assert item.formation_date == dt.date(2024, 3, 18)
    assert item.retention_start == dt.date(2025, 1, 1)
    assert item.status == Item.Status.FILED
    assert item.carrier == Item.Carrier.ELECTRONIC
    assert item.page_count == 1
    assert REPORT in item.pages.get().text
    assert item.fields["report_number"] == REPORT
    assert item.fields["signature"]["valid"] is True

    original = item.files.get(role=File.Role.ORIGINAL)
    assert original.sha256 == receipt["sha256"]
    assert read_blob(original.sha256) == pdf  # the bytes as they came
    # The receipt promises the seal; a worker adds the sealed copy after the commit.
    assert receipt["seal"]["status"] == "pending" and "已接收" in receipt["seal"]["message"]
    assert not item.files.filter(role=File.Role.SIGNED).exists()
    assert seal_pending() == ["sealed"]
    sealed = item.files.get(role=File.Role.SIGNED)
    assert read_blob(sealed.sha256).startswith(pdf)  # an incremental update of the original

    household = Household.objects.get(head_id_number=HEAD_ID)
    assert household.agency.region_code == "420102"
    members = {m.id_number: (m.relation, m.co_resident) for m in household.members.all()}
    assert members == {
        HEAD_ID: ("本人", True),
        SPOUSE_ID: ("配偶", True),
        FATHER_ID: ("父亲", False),
    }
    case = item.case
    assert (case.report_number, case.authorization_number) == (REPORT, AUTH)
    assert (case.business_type, case.entrusting_unit) == ("aa", "江岸区民政局")

    task = PrintTask.objects.get(item=item)
    assert task.status == PrintTask.Status.PENDING
    assert task.file is None  # made when it is printed, not at push

    # One entry for the filing (in the filing transaction, not one per row) that is also the
    # request's entry: no second chained entry per push, and no request left unlogged.
    assert not AuditEntry.objects.filter(action="api").exists()
    filing = AuditEntry.objects.filter(action="create", object_type="archive.Item").get()
    assert filing.actor.username.startswith("platform:")
    request = filing.detail["request"]
    assert (request["path"], request["method"], request["status"]) == (
        "/api/v1/reports",
        "POST",
        201,
    )
    assert request["archive_number"] == receipt["archive_number"]
    assert request["token"] and request["token_name"] and request["outcome"] == "filed"
    assert request["sha256"] == receipt["sha256"]
    assert filing.detail["archive_number"] == receipt["archive_number"]
    assert filing.detail["household_created"] is True
    assert len(filing.detail["members_added"]) == 3
    assert filing.detail["files"]["original"] == receipt["sha256"]
    assert not AuditEntry.objects.filter(object_type="archive.Household").exists()
    from archive.audit import verify_chain

    assert verify_chain().intact


def test_every_push_request_leaves_exactly_one_entry(platform_client, signed_report):
    """Filed (its filing entry is the request's), replayed, refused: one entry each."""
    client = platform_client()
    pdf = signed_report()
    statuses = []
    for data in (pdf, pdf, pdf + b"\n% other bytes\n"):
        before = AuditEntry.objects.count()
        statuses.append(push(client, report_meta(), data).status_code)
        assert AuditEntry.objects.count() == before + 1
    assert statuses == [201, 200, 409]
    actions = list(AuditEntry.objects.order_by("-pk").values_list("action", flat=True)[:3])
    assert actions == ["reject", "api", "create"]


def test_a_filing_rolled_back_still_logs_its_request(platform_client, signed_report, monkeypatch):
    """The request's entry rides on the filing transaction only when it commits."""
    from push import platform

    def broken(*args, **kwargs):
        raise platform.Rejected(422, "cannot_seal", "测试：归档中途失败", "file")

    monkeypatch.setattr(platform, "upsert_case", broken)
    client = platform_client()
    before = AuditEntry.objects.count()
    response = push(client, report_meta(), signed_report())
    assert response.status_code == 422
    assert not Item.objects.exists() and not PlatformReceipt.objects.exists()
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry.action == "reject" and entry.detail["status"] == 422
    from archive.audit import verify_chain

    assert verify_chain().intact


def test_same_report_same_bytes_returns_the_same_receipt(platform_client, signed_report, snapshot):
    client = platform_client()
    pdf = signed_report()
    first = push(client, report_meta(), pdf)
    assert first.status_code == 201
    before = snapshot()
    again = push(client, report_meta(), pdf)
    assert again.status_code == 200
    assert again.json() == first.json()
    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + 1
    assert after == before


def test_same_report_other_bytes_is_409_and_nothing_changes(
    platform_client, signed_report, snapshot
):
    client = platform_client()
    assert push(client, report_meta(), signed_report()).status_code == 201
    before = snapshot()
    other = push(client, report_meta(), signed_report(income="999.00"))
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "conflict"
    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + 1
    assert after == before


def test_unsigned_report_is_filed_with_a_flag(platform_client):
    response = push(platform_client(), report_meta(), pki.report_pdf(REPORT))
    assert response.status_code == 201
    assert response.json()["signature"] == {"present": False, "valid": False, "signer": None}
    item = Item.objects.get()
    assert item.fields["platform"]["flags"] == ["unsigned"]
    assert "未签名" in item.remarks


def test_unsigned_report_refused_when_the_setting_says_so(platform_client, settings, snapshot):
    settings.HEDANG_PUSH_UNSIGNED = "refuse"
    client = platform_client()
    before = snapshot()
    response = push(client, report_meta(), pki.report_pdf(REPORT))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unsigned"
    assert snapshot()["Item"] == before["Item"]


def test_untrusted_signature_is_flagged_or_refused(platform_client, rogue_signer, settings):
    client = platform_client()
    pdf = pki.sign_pdf(pki.report_pdf(REPORT), rogue_signer)
    settings.HEDANG_PUSH_UNTRUSTED = "refuse"
    refused = push(client, report_meta(), pdf)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "untrusted_signature"
    settings.HEDANG_PUSH_UNTRUSTED = "flag"
    filed = push(client, report_meta(), pdf)
    assert filed.status_code == 201
    assert filed.json()["signature"] == {
        "present": True,
        "valid": False,
        "signer": "来历不明的签名人",
    }


@pytest.mark.parametrize("how", ["bytes", "incremental"])
def test_pdf_altered_after_signing_is_refused(platform_client, signed_report, snapshot, how):
    signed = signed_report()
    tampered = pki.tamper_bytes(signed) if how == "bytes" else pki.tamper_incremental(signed)
    client = platform_client()
    before = snapshot()
    response = push(client, report_meta(), tampered)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("signature_invalid", "file")
    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + 1
    assert after == before


def test_review_report_needs_an_earlier_report(platform_client, signed_report):
    client = platform_client()
    review = "第42010220240400003aas1号"
    meta = report_meta(review, issued_on="2024-04-10")
    refused = push(client, meta, signed_report(review))
    assert refused.status_code == 422
    assert refused.json()["error"] == {
        "code": "no_earlier_report",
        "message": refused.json()["error"]["message"],
        "field": "report_number",
    }
    assert push(client, report_meta(), signed_report()).status_code == 201
    filed = push(client, meta, signed_report(review))
    assert filed.status_code == 201, filed.content
    item = Item.objects.get(document_number=review)
    assert item.subtype.name == "复核核对报告"
    assert item.case == Item.objects.get(document_number=REPORT).case
    assert Case.objects.count() == 1
    second = "第42010220240500001aat1号"
    assert (
        push(client, report_meta(second, issued_on="2024-05-06"), signed_report(second)).status_code
        == 201
    )


def test_city_token_may_push_for_its_counties(platform_client, signed_report):
    response = push(platform_client("420100"), report_meta(), signed_report())
    assert response.status_code == 201
    assert PlatformReceipt.objects.get().token.agency.region_code == "420100"
