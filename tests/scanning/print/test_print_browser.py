"""One real browser run: the 打印 menu, a household's catalogue preview loading its PDF inline."""

from __future__ import annotations

import pytest

from tests.browser import needs_chromium

SCREENSHOT = "/tmp/ui-print-preview.png"


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_archivist_previews_a_catalogue(
    transactional_db,
    live_server,
    make_user,
    filed_household,
    browser_page,
):
    from archive.models import AuditEntry

    household, _, _ = filed_household
    make_user("420102", username="archivist", real_name="王档案")
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "archivist")
    page.fill("input[name=password]", "pw-Hedang-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.get_by_role("link", name="打印").first.click()
    page.wait_for_url("**/admin/scanning/print/")
    row = page.get_by_test_id("print-households").locator("tr", has_text="张伟户")
    with page.expect_response(lambda r: r.url.endswith("/pdf/")) as pdf:
        row.get_by_role("link", name="归档文件目录").click()
    assert pdf.value.status == 200
    assert pdf.value.headers["content-type"] == "application/pdf"
    assert page.get_by_test_id("print-frame").is_visible()
    page.screenshot(path=SCREENSHOT, full_page=True)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.PRINT).latest("id")
    assert entry.object_id == str(household.pk) and entry.actor_name == "archivist"
