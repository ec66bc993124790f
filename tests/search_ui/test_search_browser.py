"""One real browser run: log in, search a 2-character name, see the highlight, open the item."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = "/tmp/search-page.png"


@pytest.fixture
def browser_page():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
        page.set_default_timeout(20_000)
        try:
            yield page
        finally:
            browser.close()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium")
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
