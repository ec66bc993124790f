"""Chromium walks the loan desk, the page viewer and the inspector view; screenshots are kept
for the manual (docs/manual/img/) and looked at."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser import needs_chromium, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.browser, needs_chromium]
IMG = Path(__file__).resolve().parents[2] / "docs" / "manual" / "img"


def login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-Hedang-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def shot(page, name: str) -> None:
    path = Path("/tmp") / name
    page.screenshot(path=str(path), full_page=True)
    IMG.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, IMG / name)


def test_loan_desk_walk(transactional_db, live_server, paper_items, staff, browser_page):
    from loans.models import Loan

    page, base = browser_page, live_server.url
    item = paper_items[1]
    login(page, base, "clerk")
    page.goto(f"{base}/admin/loans/")
    page.get_by_test_id("new-loan").click()
    page.fill("#id_purpose", "低保复核，核对入户情况")
    page.fill("#id_items", item.archive_number)
    page.fill("#id_borrower_user", "clerk")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r".*/admin/loans/\d+/$"))
    assert page.get_by_test_id("loan-status").inner_text() == "待审批"
    loan = Loan.objects.get()

    login(page, base, "approver")
    page.goto(f"{base}/admin/loans/{loan.pk}/")
    page.get_by_test_id("step-approve").get_by_role("button", name="批准").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("loan-status").inner_text() == "已批准"

    login(page, base, "archivist")
    page.goto(f"{base}/admin/loans/{loan.pk}/")
    page.get_by_test_id("step-issue").get_by_role("button", name="发放").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("loan-status").inner_text() == "已发放"
    page.get_by_label(f"{item.archive_number} 清点页数").fill("4")
    page.get_by_test_id("return-button").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("loan-status").inner_text() == "归还异常待处理"
    assert "发放 5 页，归还清点 4 页" in page.get_by_test_id("incidents").inner_text()
    shot(page, "loans-incident.png")
    page.get_by_label("处理说明").fill("第 5 页夹在登记簿中，已找回并当面核对")
    page.get_by_role("button", name="处理").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("loan-status").inner_text() == "已归还结清"
    page.goto(f"{base}/admin/loans/")
    assert item.archive_number in page.get_by_test_id("loan-list").inner_text()
    shot(page, "loans-desk.png")


def test_page_viewer_walk(transactional_db, live_server, paper_items, staff, browser_page):
    from archive.models import File, Page
    from archive.pdf import text_pdf
    from archive.storage import store_bytes
    from loans import services
    from loans.models import ReadingEvent

    item = paper_items[0]
    lines = [f"第{n}行 户主张伟 身份证号 {item.household.head_id_number}" for n in range(90)]
    blob = store_bytes(text_pdf("入户核查表", lines))
    File.objects.filter(item=item).update(sha256=blob.sha256, size=blob.size)
    for number in (1, 2, 3):
        Page.objects.create(
            item=item,
            number=number,
            text=f"第 {number} 页 身份证号 {item.household.head_id_number}",
        )
    now = timezone.localtime()
    loan = services.request_loan(
        staff["clerk"],
        borrower=services.Borrower(user=staff["clerk"]),
        purpose="复核",
        kind="electronic",
        items=[item.archive_number],
        date=now.date(),
        start_time=dt.time(0, 0),
        end_time=dt.time(23, 59, 59),
    )
    services.approve(loan, staff["approver"])
    page, base = browser_page, live_server.url
    login(page, base, "clerk")
    page.goto(f"{base}/admin/loans/read/{item.pk}/")
    wait_until(page, "document.getElementById('hd-page').naturalWidth > 0")
    assert "第 1 页" in page.get_by_test_id("page-text").inner_text()
    page.get_by_role("button", name="下一页").click()
    wait_until(page, "document.getElementById('hd-page').alt === '第 2 页'")
    wait_until(page, "document.getElementById('hd-page').complete")
    assert page.get_by_test_id("page-number").inner_text() == "2"
    assert "第 2 页" in page.get_by_test_id("page-text").inner_text()
    page.get_by_role("button", name="放大").click()
    assert page.get_by_test_id("zoom").inner_text() == "125%"
    widths = page.evaluate(
        "[document.getElementById('hd-page').clientWidth,"
        " document.getElementById('hd-page').parentElement.clientWidth]"
    )
    assert widths[0] > widths[1], widths  # the page is wider than its frame: it scrolls
    # The copy is made on request (pages rendered and marked): allow a loaded machine time.
    with page.expect_download(timeout=120_000) as download:
        page.get_by_test_id("download").click(timeout=120_000)
    assert download.value.suggested_filename.endswith("阅览副本.pdf")
    shot(page, "loans-reader.png")
    kinds = list(ReadingEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds[0] == "view" and kinds.count("page") >= 2 and kinds[-1] == "download"


def test_inspector_view_walk(
    transactional_db, live_server, paper_items, staff, make_user, browser_page
):
    from loans import services

    today = timezone.localdate()
    loan = services.request_loan(
        staff["clerk"],
        borrower=services.Borrower(user=staff["clerk"]),
        purpose="复核",
        kind="paper",
        items=[p.archive_number for p in paper_items[:2]],
        date=today,
    )
    services.approve(loan, staff["approver"])
    services.issue(loan, staff["archivist"])
    entries = [
        {
            "archive_number": paper_items[0].archive_number,
            "pages_counted": 3,
            "condition": "damaged",
            "note": "撕裂",
        },
        {
            "archive_number": paper_items[1].archive_number,
            "pages_counted": 5,
            "condition": "intact",
        },
    ]
    services.return_items(loan, staff["archivist"], entries)
    make_user("420100", "监督检查", username="inspector", real_name="周监督")
    page, base = browser_page, live_server.url
    login(page, base, "inspector")
    page.goto(f"{base}/admin/loans/inspect/")
    assert "江岸区" in page.get_by_test_id("by-agency").inner_text()
    assert "损坏" in page.get_by_test_id("open-incidents").inner_text()
    assert page.locator("svg.hd-chart").count() == 5
    shot(page, "loans-inspect.png")
    page.get_by_test_id("by-agency").get_by_role("link").first.click()
    page.wait_for_url("**/admin/loans/?agency=*")
    assert f"借阅单 {loan.pk}" in page.get_by_test_id("loan-list").inner_text()
