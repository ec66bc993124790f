"""Real Chromium: an archivist appraises a household, proposes a batch; the head approves, two
supervisors confirm, the archivist executes. Screenshots go to docs/manual/img/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.browser import needs_chromium

IMG = Path(__file__).resolve().parents[2] / "docs/manual/img"


def login(page, url, username):
    page.context.clear_cookies()
    page.goto(f"{url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-Hedang-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/admin/")


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_appraisal_and_destruction_batch_in_the_browser(
    transactional_db, live_server, world, browser_page
):
    from archive.models import Item
    from retention.models import DestructionBatch
    from retention.sweep import fill_appraisal_list

    fill_appraisal_list(dt.date(2025, 1, 1))
    page, url = browser_page, live_server.url
    item = world.items["李明-2014"]

    login(page, url, "archivist1")
    page.goto(f"{url}/admin/retention/")
    assert page.locator("[data-testid=due-chart] svg rect").count() >= 2
    group = page.locator("[data-testid=due-group]").filter(has_text="李明户")
    assert group.get_by_text(item.archive_number).is_visible()
    page.screenshot(path=str(IMG / "retention-due.png"), full_page=True)
    group.get_by_role("link", name="鉴定本户").click()
    page.wait_for_url("**/admin/retention/appraise/*/")
    page.check(f"input[name=decision-{item.pk}][value=destroy]")
    page.fill("#appraisers", "王芳、赵强")
    page.fill("#reason", "保管期满，经鉴定无继续保存价值")
    page.screenshot(path=str(IMG / "retention-appraise.png"), full_page=True)
    page.get_by_role("button", name="提交鉴定").click()
    page.wait_for_url(f"{url}/admin/retention/")
    assert page.get_by_text("已完成 李明户 1 件档案的鉴定").is_visible()

    page.goto(f"{url}/admin/retention/batches/")
    page.fill("#title", "2025 年第 1 批")
    page.fill("#reason", "保管期满")
    page.fill("#place", "江岸区核对中心档案室")
    page.get_by_role("button", name="提出销毁").click()
    page.wait_for_url("**/admin/retention/batches/*/")
    batch = DestructionBatch.objects.get()
    detail = f"{url}/admin/retention/batches/{batch.pk}/"
    assert page.locator("[data-testid=approve]").count() == 0  # the proposer cannot approve
    assert page.locator("[data-testid=problems]").get_by_text("须经机构负责人批准").is_visible()

    login(page, url, "head1")
    page.goto(detail)
    page.locator("[data-testid=approve]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=batch-status]").inner_text() == "负责人已批准"
    for supervisor in ("sup1", "sup2"):
        login(page, url, supervisor)
        page.goto(detail)
        page.locator("[data-testid=supervise]").click()
        page.wait_for_load_state()
        assert page.get_by_text("已确认监销").is_visible()

    login(page, url, "archivist1")
    page.goto(detail)
    assert page.locator("[data-testid=problems]").count() == 0
    page.fill("#paper_method", "粉碎")
    page.fill("#paper_place", "江岸区核对中心档案室")
    page.locator("[data-testid=execute]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=batch-status]").inner_text() == "已销毁"
    assert page.get_by_role("link", name="销毁清册 PDF").is_visible()
    page.screenshot(path=str(IMG / "retention-batch.png"), full_page=True)
    item.refresh_from_db()
    assert item.status == Item.Status.DESTROYED
