"""One real browser run: log in, search a 2-character name, see the highlight, open the item."""

from __future__ import annotations

import pytest

from tests.browser import needs_chromium

SCREENSHOT = "/tmp/search-page.png"


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_search_and_open_an_item(transactional_db, live_server, data, make_user, browser_page):
    make_user("420102", username="archivist", real_name="王档案")
    item = data.items["张伟-入户"]
    page = browser_page

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "archivist")
    page.fill("input[name=password]", "pw-Hedang-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.get_by_role("link", name="检索").first.click()
    page.wait_for_url("**/admin/search/")
    assert page.get_by_test_id("search-hint").is_visible()

    page.fill("input[name=q]", "张伟")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/admin/search/?q=*")
    assert "共找到 3 件" in page.get_by_test_id("search-total").inner_text()
    marks = page.locator("[data-testid=hit-snippet] mark")
    assert marks.count() >= 3
    assert set(marks.all_inner_texts()) == {"张伟"}
    assert page.get_by_text("汉阳区").count() == 0
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.get_by_role("link", name=item.archive_number).click()
    page.wait_for_url(f"**/admin/items/{item.pk}/")
    assert page.get_by_text("家庭月收入 3,215.40 元").first.is_visible()
