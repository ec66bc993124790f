"""The loan's whole path through /api/v1/loans, its refusals, and the register."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.loans.conftest import loan_body

pytestmark = pytest.mark.django_db


def entries(**filters):
    from archive.models import AuditEntry

    return AuditEntry.objects.filter(**filters)


def counted(items, **override):
    return {
        "items": [
            {
                "archive_number": i.archive_number,
                "pages_counted": override.get(i.archive_number, i.page_count),
                "condition": "intact",
            }
            for i in items
        ]
    }


def test_a_whole_loan_closes_when_the_counts_match(paper_items, staff, api, today):
    clerk, approver, desk = api(staff["clerk"]), api(staff["approver"]), api(staff["archivist"])
    r = clerk.post("/api/v1/loans", loan_body(paper_items, today), format="json")
    assert r.status_code == 201, r.json()
    loan = r.json()
    assert loan["status"] == "requested"
    assert [(i["archive_number"], i["pages"]) for i in loan["items"]] == [
        (i.archive_number, i.page_count) for i in paper_items
    ]
    url = f"/api/v1/loans/{loan['id']}"
    r = approver.post(url + "/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["approver"] == "陈审批"
    r = desk.post(url + "/issue")
    assert r.json()["status"] == "issued"
    assert [i["pages_issued"] for i in r.json()["items"]] == [3, 5, 2]
    r = desk.post(url + "/return", counted(paper_items), format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "closed" and r.json()["incidents"] == []
    assert r.json()["returned_to"] == "王档案"
    actions = list(
        entries(object_type="loans.Loan", object_id=str(loan["id"]))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["request", "approve", "issue", "return"]


def test_one_page_short_opens_an_incident_that_must_be_resolved(paper_items, staff, api, today):
    clerk, approver, desk = api(staff["clerk"]), api(staff["approver"]), api(staff["archivist"])
    loan_id = clerk.post("/api/v1/loans", loan_body(paper_items, today), format="json").json()["id"]
    url = f"/api/v1/loans/{loan_id}"
    approver.post(url + "/approve")
    desk.post(url + "/issue")
    short = paper_items[1]
    r = desk.post(url + "/return", counted(paper_items, **{short.archive_number: 4}), format="json")
    body = r.json()
    assert body["status"] == "incident"
    [incident] = body["incidents"]
    assert incident["archive_number"] == short.archive_number
    assert incident["kind"] == "count_mismatch" and incident["resolved"] is False
    # The loan cannot be returned again or closed without resolving it.
    again = desk.post(url + "/return", counted(paper_items), format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "wrong_state"
    empty = desk.post(f"{url}/incidents/{incident['id']}/resolve", {"note": ""}, format="json")
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "note"
    assert desk.get(url).json()["status"] == "incident"
    r = desk.post(
        f"{url}/incidents/{incident['id']}/resolve",
        {"note": "第 5 页夹在第 2 件中，已找回装订"},
        format="json",
    )
    assert r.status_code == 200
    assert r.json()["status"] == "closed"
    assert r.json()["incidents"][0]["resolved_by"] == "王档案"


def test_damage_is_an_incident_too(paper_items, staff, api, today):
    clerk, approver, desk = api(staff["clerk"]), api(staff["approver"]), api(staff["archivist"])
    loan_id = clerk.post("/api/v1/loans", loan_body(paper_items[:1], today), format="json").json()[
        "id"
    ]
    approver.post(f"/api/v1/loans/{loan_id}/approve")
    desk.post(f"/api/v1/loans/{loan_id}/issue")
    item = paper_items[0]
    r = desk.post(
        f"/api/v1/loans/{loan_id}/return",
        {
            "items": [
                {
                    "archive_number": item.archive_number,
                    "pages_counted": 3,
                    "condition": "damaged",
                    "note": "第 1 页撕裂",
                }
            ]
        },
        format="json",
    )
    assert r.json()["status"] == "incident"
    assert r.json()["incidents"][0]["kind"] == "damage"


def test_self_approval_is_refused_logged_and_changes_nothing(paper_items, staff, api, today):
    from loans.models import Loan

    archivist = api(staff["archivist"])
    body = loan_body(paper_items, today, borrower={"user": "approver"})
    loan_id = archivist.post("/api/v1/loans", body, format="json").json()["id"]
    r = archivist.post(f"/api/v1/loans/{loan_id}/approve")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "self_approval"
    assert "自己" in r.json()["error"]["message"]
    # The borrower may not approve their own loan either.
    r = api(staff["approver"]).post(f"/api/v1/loans/{loan_id}/approve")
    assert r.status_code == 403
    assert Loan.objects.get(pk=loan_id).status == "requested"
    denied = entries(action="denied", object_type="loans.Loan", object_id=str(loan_id))
    assert denied.count() == 2
    assert denied.first().detail["code"] == "self_approval"


def test_wrong_order_and_bad_counts_are_refused(paper_items, staff, api, today):
    clerk, approver, desk = api(staff["clerk"]), api(staff["approver"]), api(staff["archivist"])
    loan_id = clerk.post("/api/v1/loans", loan_body(paper_items, today), format="json").json()["id"]
    url = f"/api/v1/loans/{loan_id}"
    r = desk.post(url + "/issue")
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_state"
    approver.post(url + "/approve")
    desk.post(url + "/issue")
    negative = counted(paper_items, **{paper_items[0].archive_number: -1})
    r = desk.post(url + "/return", negative, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "negative_count"
    missing = counted(paper_items)
    del missing["items"][1]["pages_counted"]
    r = desk.post(url + "/return", missing, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "missing_count"
    partial = counted(paper_items[:2])
    r = desk.post(url + "/return", partial, format="json")
    assert r.status_code == 400 and "逐件清点" in r.json()["error"]["message"]
    loan = desk.get(url).json()
    assert loan["status"] == "issued"
    assert all(i["pages_counted"] is None for i in loan["items"])
    assert entries(action="reject", object_id=str(loan_id)).count() == 4


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"date": "2020-01-01"}, "past_date"),
        ({"purpose": ""}, "required"),
        ({"kind": "taken_out"}, "invalid_choice"),
        ({"purpose": "  "}, "required"),
        ({"borrower": {"user": "nobody"}}, "unknown_user"),
        (
            {"borrower": {"name": "赵外", "id_number": "420102198503151235", "unit": "某律所"}},
            "invalid_id_number",
        ),
        (
            {"borrower": {"name": "赵外", "id_number": "11010519491231002X", "unit": "某律所"}},
            "letter_required",
        ),
    ],
)
def test_bad_requests_are_refused_and_logged(paper_items, staff, api, today, change, code):
    from loans.models import Loan

    r = api(staff["clerk"]).post(
        "/api/v1/loans", loan_body(paper_items, today, **change), format="json"
    )
    assert r.status_code == 400, r.json()
    assert r.json()["error"]["code"] == code
    assert Loan.objects.count() == 0
    assert entries(action="reject", object_type="loans.Loan").count() == 1


def test_outside_borrower_with_letter(paper_items, staff, api, today):
    import base64

    from archive.pdf import text_pdf
    from archive.storage import read_blob
    from loans.models import Loan

    letter = text_pdf("介绍信", ["兹介绍赵外同志前来查阅"])
    body = loan_body(
        paper_items[:1],
        today,
        borrower={"name": "赵外", "id_number": "11010519491231002X", "unit": "武汉某律师事务所"},
        letter={"name": "介绍信.pdf", "content_base64": base64.b64encode(letter).decode()},
    )
    r = api(staff["clerk"]).post("/api/v1/loans", body, format="json")
    assert r.status_code == 201, r.json()
    # 委托受理 may see full IDs; an inspector sees it masked.
    assert r.json()["borrower"]["id_number"] == "11010519491231002X"
    loan = Loan.objects.get()
    assert read_blob(loan.letter_sha256) == letter


def test_destroyed_unfiled_and_foreign_items_are_refused(
    paper_items, staff, api, today, make_household, make_item
):
    from archive.filing import file_item
    from archive.models import Item

    destroyed = paper_items[0]
    Item.objects.filter(pk=destroyed.pk).update(status=Item.Status.DESTROYED)
    clerk = api(staff["clerk"])
    r = clerk.post("/api/v1/loans", loan_body([destroyed], today), format="json")
    assert r.json()["error"]["code"] == "destroyed"
    unfiled = make_item(paper_items[1].household, "QTZ")
    unfiled.archive_number = "UNFILED-1"
    unfiled.carrier = "paper"
    unfiled.save()
    r = clerk.post("/api/v1/loans", loan_body([unfiled], today), format="json")
    assert r.json()["error"]["code"] == "not_filed"
    foreign = file_item(make_item(make_household("420502", "李四"), "SQS"))
    r = clerk.post("/api/v1/loans", loan_body([foreign], today), format="json")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert entries(action="denied", object_type="loans.Loan").count() == 1


def test_no_items_is_refused(staff, api, today):
    r = api(staff["clerk"]).post("/api/v1/loans", loan_body([], today), format="json")
    assert r.status_code == 400 and r.json()["error"]["field"] == "items"


def test_csrf_is_required_for_session_writes(paper_items, staff, today):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff["clerk"])
    r = client.post("/api/v1/loans", loan_body(paper_items, today), format="json")
    assert r.status_code == 403


def test_inspector_of_a_city_sees_only_its_counties(paper_items, make_user, api, today):
    from archive.filing import file_item
    from loans import services
    from loans.models import Loan

    wuhan = make_user("420100", "监督检查", username="insp")
    yichang_clerk = make_user("420502", "档案管理员", username="yc")
    jiangan_clerk = make_user("420102", "委托受理", username="clerk")
    mine = services.request_loan(
        jiangan_clerk,
        borrower=services.Borrower(user=jiangan_clerk),
        purpose="复核",
        kind="paper",
        items=[paper_items[0].archive_number],
        date=today,
    )
    from archive.models import Household, Item

    household = Household.objects.create(
        agency=yichang_clerk.agency, head_id_number="420502198503151230", head_name="李四"
    )
    other = Item.objects.create(
        household=household,
        agency=household.agency,
        category="process",
        subtype=paper_items[0].subtype,
        title="李四户委托书",
        formation_date=dt.date(2024, 1, 2),
        carrier="paper",
        page_count=1,
    )
    file_item(other)
    theirs = services.request_loan(
        yichang_clerk,
        borrower=services.Borrower(user=yichang_clerk),
        purpose="复核",
        kind="paper",
        items=[other.archive_number],
        date=today,
    )
    client = api(wuhan)
    listed = client.get("/api/v1/loans").json()["results"]
    assert [loan["id"] for loan in listed] == [mine.pk]
    r = client.get(f"/api/v1/loans/{theirs.pk}")
    assert r.status_code == 404
    assert entries(action="denied", object_id=str(theirs.pk)).exists()
    r = client.get("/api/v1/loans?agency=420502")
    assert r.status_code == 404
    assert client.get("/api/v1/loans?agency=420102").json()["count"] == 1
    assert Loan.objects.count() == 2
    r = client.post(f"/api/v1/loans/{mine.pk}/approve")
    assert r.status_code == 403


def test_register_rows_in_json_xlsx_and_pdf(paper_items, staff, api, today):
    import pypdfium2 as pdfium

    clerk, approver, desk = api(staff["clerk"]), api(staff["approver"]), api(staff["archivist"])
    loan_id = clerk.post("/api/v1/loans", loan_body(paper_items[:2], today), format="json").json()[
        "id"
    ]
    url = f"/api/v1/loans/{loan_id}"
    approver.post(url + "/approve")
    desk.post(url + "/issue")
    desk.post(url + "/return", counted(paper_items[:2]), format="json")
    span = f"from={today - dt.timedelta(days=1)}&to={today}"
    rows = desk.get(f"/api/v1/loans/register?{span}&format=json").json()["rows"]
    assert [(r["archive_number"], r["pages_issued"], r["pages_counted"]) for r in rows] == [
        (paper_items[0].archive_number, 3, 3),
        (paper_items[1].archive_number, 5, 5),
    ]
    assert rows[0]["approver"] == "陈审批" and rows[0]["handled_by"] == "王档案"
    assert rows[0]["borrower"] == "刘受理" and rows[0]["condition"] == "完好"

    r = desk.get(f"/api/v1/loans/register?{span}&format=xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][:5] == ["借阅人", "单位", "借阅日期", "档号", "题名"]
    assert [v[3] for v in values[1:]] == [i.archive_number for i in paper_items[:2]]
    assert values[1][5] == 3 and values[2][6] == 5

    r = desk.get(f"/api/v1/loans/register?{span}&format=pdf")
    assert r["Content-Type"] == "application/pdf"
    pdf = pdfium.PdfDocument(r.content)
    text = "".join(pdf[0].get_textpage().get_text_range().split())
    assert "借阅登记簿" in text and paper_items[1].archive_number in text and "陈审批" in text
    exports = entries(action="export", object_type="loans.Register")
    assert sorted(exports.values_list("detail__format", flat=True)) == ["json", "pdf", "xlsx"]
    # An earlier period has no rows.
    old = "from=2025-01-01&to=2025-01-31&format=json"
    assert desk.get(f"/api/v1/loans/register?{old}").json()["rows"] == []
    assert desk.get("/api/v1/loans/register?format=doc").status_code == 400


def test_loans_are_in_the_openapi_schema(staff, api):
    r = api(staff["archivist"]).get("/api/v1/schema", HTTP_ACCEPT="application/json")
    text = r.content.decode()
    for path in (
        "/api/v1/loans",
        "/api/v1/loans/{id}/approve",
        "/api/v1/loans/{id}/return",
        "/api/v1/loans/{id}/incidents/{incident_id}/resolve",
        "/api/v1/loans/register",
    ):
        assert path in text, path
