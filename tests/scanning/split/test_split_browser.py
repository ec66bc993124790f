"""A real browser on the 确认拆分 page: from the review page of an uncertain stack, check the
thumbnails and problems, move a boundary, toggle a separator, pick a household, confirm."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.browser import needs_chromium, wait_until
from tests.ingest.ui.test_ingest_ui_browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.browser, needs_chromium]

# The 操作手册's picture of the page (docs/manual/scanning.md).
SHOT = Path(__file__).resolve().parents[3] / "docs" / "manual" / "img" / "scanning-split.png"


def test_an_archivist_corrects_and_confirms_the_split(
    transactional_db, live_server, make_user, uncertain_stack, browser_page
):
    from playwright.sync_api import expect

    from archive.models import Item

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    make_user("420102", username="archivist", real_name="王档案")
    stack = uncertain_stack(undated_first=True)  # page 1 prints no date
    page = browser_page

    log_in(page, live_server, "archivist")
    page.goto(f"{live_server.url}/admin/ingest/review/{stack.item.pk}/")
    page.get_by_role("link", name="确认拆分").click()
    page.wait_for_url(f"**/admin/scanning/items/{stack.item.pk}/split/")

    expect(page.get_by_test_id("problems")).to_contain_text("第一张分隔页之前有材料页")
    expect(page.get_by_test_id("thumbnail")).to_have_count(6)
    # Thumbnails load after the page: wait for the first one before measuring it.
    first = page.get_by_test_id("thumbnail").first
    wait_until(page, "document.querySelector('[data-testid=thumbnail]').complete")
    assert first.evaluate("img => img.naturalWidth") > 50
    count, labels = page.get_by_test_id("part-count"), page.get_by_test_id("page-label")
    expect(count).to_have_text("3")
    expect(labels).to_have_text(
        ["第 1 件 · 起始页", "分隔页（不归档）", "第 2 件 · 起始页", "第 2 件",
         "分隔页（不归档）", "第 3 件 · 起始页"]
    )  # fmt: skip
    expect(page.locator("select[name=role-1]")).to_be_hidden()  # buttons instead

    card = {n: page.locator(f"#page-{n}") for n in range(1, 7)}
    # Page 1 came before any sheet: the archivist names its household and subtype.
    zhang = page.locator("#household-1 option", has_text="张伟户")
    expect(zhang).to_contain_text(stack.zhang.head_id_number)
    page.select_option("#household-1", value=zhang.get_attribute("value"))
    page.select_option("#subtype-1", label="其他证明")
    page.fill("#date-1", "2023-05-04")  # its paper's date: the page prints none

    # The second page of the 授权书 is an item of its own: move the boundary there, undo, redo.
    card[4].get_by_role("button", name="从此页起为新的一件").click()
    expect(count).to_have_text("4")
    expect(labels.nth(3)).to_have_text("第 3 件 · 起始页")
    expect(page.locator("#household-4")).to_have_value(str(stack.zhang.pk))  # from its item
    expect(labels.nth(5)).to_have_text("第 4 件 · 起始页")
    card[4].get_by_role("button", name="并入上一件").click()
    expect(count).to_have_text("3")
    expect(page.locator("#subtype-4")).to_be_hidden()
    card[4].get_by_role("button", name="从此页起为新的一件").click()
    page.select_option("#subtype-4", label="身份信息证明")

    # A page marked as a separator by mistake, and back.
    card[1].get_by_role("button", name="标为分隔页").click()
    expect(labels.nth(0)).to_have_text("分隔页（不归档）")
    expect(count).to_have_text("3")
    card[1].get_by_role("button", name="不是分隔页").click()
    expect(labels.nth(0)).to_have_text("第 1 件 · 起始页")
    expect(page.locator("#subtype-1")).to_have_value(
        page.locator("#subtype-1 option", has_text="其他证明").get_attribute("value")
    )
    expect(count).to_have_text("4")
    page.screenshot(path=str(SHOT), full_page=True)

    page.get_by_test_id("confirm-split").click()
    expect(page.get_by_text("已拆分归档 4 件")).to_be_visible()

    stack.document.refresh_from_db()
    items = stack.document.items()
    assert [(i.household, i.subtype.code, i.page_count) for i in items] == [
        (stack.zhang, "QTZ", 1), (stack.zhang, "SQS", 1), (stack.zhang, "SFZ", 1),
        (stack.wang, "RHB", 1),
    ]  # fmt: skip
    assert all(i.status == Item.Status.FILED and i.archive_number for i in items)
    assert items[0].formation_date == dt.date(2023, 5, 4)
    assert page.url.endswith(f"/{items[0].pk}/")
    for item in items:
        expect(page.get_by_text(item.archive_number).first).to_be_visible()
    assert not Item.objects.filter(pk=stack.item.pk).exists()
