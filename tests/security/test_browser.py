"""One real browser run: a 信息管理 officer opens an item page; the OCR text shows IDs masked,
the admin works under the Content-Security-Policy (no violation reported), and the
screenshot goes into the manual (docs/manual/security.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser import needs_chromium

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs/manual/img/security-masked-item.png"


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_masked_item_page_under_csp(
    transactional_db, live_server, make_user, make_household, make_item, browser_page
):
    from archive.filing import file_item
    from archive.models import Page

    household = make_household("420102", "张伟")
    item = file_item(make_item(household, "SQS"))
    full_width = household.head_id_number.translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    Page.objects.create(
        item=item,
        number=1,
        text=f"核对授权书\n授权人：张伟  身份证号：{full_width}\n"
        f"配偶：李娜  身份证号：{household.head_id_number[:6]} "
        f"{household.head_id_number[6:14]} {household.head_id_number[14:]}\n"
        "授权书编号：居经授第420102202400000123号",
    )
    make_user("420102", "信息管理", username="xinxi", real_name="钱信息")
    page = browser_page
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "xinxi")
    page.fill("input[name=password]", "pw-Hedang-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(live_server.url + reverse("archive_item:detail", args=(item.pk,)))
    text = page.locator(".hd-page-text").first.inner_text()
    assert "420102********" in text
    assert household.head_id_number[6:14] not in text.replace(" ", "")
    assert full_width not in text
    assert "居经授第420102202400000123号" in text  # a document number stays whole
    assert not page.get_by_role("link", name="下载").count()  # no full-ID permission
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert violations == [], violations
