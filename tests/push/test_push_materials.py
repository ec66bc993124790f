"""POST /api/v1/materials: authorizations, commission letters, application and approval
materials pushed by the platform."""

from __future__ import annotations

import pytest

from archive.models import Case, Item
from tests.push import pki
from tests.push.conftest import AUTH, HEAD_ID, REPORT, post, push, report_meta

pytestmark = pytest.mark.django_db


def material_meta(**extra) -> dict:
    meta = {
        "category": "process",
        "subtype": "核对授权书",
        "authorization_number": AUTH,
        "business_type": "aa",
        "entrusting_unit": "江岸区民政局",
        "formed_on": "2024-03-01",
        "household": {"head": {"name": "张伟", "id_number": HEAD_ID}},
    }
    meta.update(extra)
    return meta


def push_material(client, meta, pdf):
    return post(client, "/api/v1/materials", meta, pdf, "material.pdf")


def test_authorization_then_report_share_the_case(platform_client, platform_signer, signed_report):
    client = platform_client("420102")
    pdf = pki.sign_pdf(pki.report_pdf(AUTH), platform_signer)
    response = push_material(client, material_meta(), pdf)
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert receipt["archive_number"] == "Z420102-HD·2024-D10-GC-0001"
    assert receipt["signature"]["valid"] is True
    item = Item.objects.get(archive_number=receipt["archive_number"])
    assert (item.category, item.subtype.name, item.document_number) == (
        "process",
        "核对授权书",
        AUTH,
    )
    assert item.case.authorization_number == AUTH
    assert item.case.report_number == ""

    again = push_material(client, material_meta(), pdf)
    assert (again.status_code, again.json()) == (200, receipt)
    other = push_material(client, material_meta(), pki.report_pdf(AUTH, income="1.00"))
    assert other.status_code == 409

    report = push(client, report_meta(), signed_report())
    assert report.status_code == 201
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert case.report_number == REPORT
    assert Item.objects.get(document_number=REPORT).case == case


def test_application_material_linked_by_report_number(platform_client, signed_report):
    client = platform_client()
    assert push(client, report_meta(), signed_report()).status_code == 201
    meta = {
        "category": "report_application",
        "subtype": "审批材料",
        "report_number": REPORT,
        "formed_on": "2024-03-25",
        "title": "最低生活保障审批表",
        "household": {"head": {"name": "张伟", "id_number": HEAD_ID}},
    }
    pdf = pki.report_pdf("审批表")
    response = push_material(client, meta, pdf)
    assert response.status_code == 201, response.content
    item = Item.objects.get(archive_number=response.json()["archive_number"])
    assert item.case.report_number == REPORT
    assert item.title == "最低生活保障审批表"
    assert item.archive_number.endswith("-YY-0001")
    # Without a document number the key is household + bytes: the same file again is 200.
    assert push_material(client, meta, pdf).status_code == 200
    assert push_material(client, meta, pki.report_pdf("审批表 第二页")).status_code == 201


def test_commission_letter_by_subtype_code(platform_client):
    meta = material_meta(subtype="WTS", document_number="江岸民委〔2024〕12号")
    del meta["authorization_number"]
    response = push_material(platform_client(), meta, pki.report_pdf("委托书"))
    assert response.status_code == 201, response.content
    item = Item.objects.get()
    assert item.subtype.name == "核对委托书"
    assert item.case is None
    assert item.agency.region_code == "420102"  # the token's agency


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"category": "report"}, 400, "invalid_choice", "category"),
        ({"subtype": "核对报告"}, 422, "subtype", "subtype"),
        ({"authorization_number": ""}, 400, "required", "authorization_number"),
        (
            {"authorization_number": "居经授第420103202400000123号"},
            403,
            "out_of_jurisdiction",
            "region_code",
        ),
        (
            {"report_number": "第42010220240300099aaf1号", "authorization_number": ""},
            400,
            "required",
            "authorization_number",
        ),
        ({"formed_on": "2024-02-30"}, 400, "invalid", "formed_on"),
    ],
)
def test_bad_material_metadata(platform_client, snapshot, change, status, code, field):
    client = platform_client()
    meta = material_meta(**change)
    before = snapshot()
    response = push_material(client, meta, pki.report_pdf(AUTH))
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + 1
    assert after == before


def test_material_for_an_unknown_report_is_422(platform_client):
    meta = material_meta(subtype="申报材料", category="report_application", report_number=REPORT)
    del meta["authorization_number"]
    response = push_material(platform_client(), meta, pki.report_pdf("申报"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_report"
