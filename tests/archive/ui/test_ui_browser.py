"""One real browser run: an archivist logs in, opens the households list and a household."""

from __future__ import annotations

import pytest

from tests.browser import needs_chromium

SCREENSHOT = "/tmp/ui-household.png"


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_archivist_browses_a_household(
    transactional_db, live_server, make_user, jiangan_household, hanyang_household, browser_page
):
    make_user("420102", username="archivist", real_name="王档案")
    page = browser_page

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "archivist")
    page.fill("input[name=password]", "pw-Hedang-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.get_by_text("我的机构").is_visible()

    page.goto(f"{live_server.url}/admin/households/")
    assert page.get_by_role("link", name="张伟").is_visible()
    assert page.get_by_text("刘洋").count() == 0

    page.get_by_role("link", name="张伟").click()
    page.wait_for_url(f"**/admin/households/{jiangan_household.pk}/")
    headings = page.locator("[data-panel-heading-text]").all_inner_texts()
    categories = [h for h in headings if "件）" in h]
    assert categories == [
        "核查过程性材料（2 件）",
        "证明材料（0 件）",
        "核对报告材料（1 件）",
        "核对报告应用材料（0 件）",
    ]
    assert page.get_by_role("link", name="张伟户入户核查表").is_visible()
    assert page.get_by_text("本类暂无材料。").count() == 2
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.get_by_role("link", name="张伟户入户核查表").click()
    page.wait_for_url("**/admin/items/*/")
    assert page.get_by_text("邻里访问情况：情况属实。").is_visible()
