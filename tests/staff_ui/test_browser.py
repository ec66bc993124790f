"""Chromium as archivist, inspector and administrator: every menu entry opened and
screenshotted; an unknown household's report filed from the review queue in three actions;
the screenshots of the 操作手册 (docs/manual/img/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser import needs_chromium

SHOTS = Path("/tmp/staff-ui-shots")
MANUAL_IMG = Path(settings.BASE_DIR) / "docs" / "manual" / "img"
ENGLISH = re.compile(
    r"\b(?:Page|Images|Documents|Search all|Welcome|Wagtail|Password|Choose Files)\b"
)


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-Hedang-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def _menu(page) -> list[tuple[str, str]]:
    """(label, href) of every sidebar entry, submenus included (read from the sidebar props)."""
    import json

    props = page.locator("#wagtail-sidebar-props").text_content()
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("_type", "").endswith(("LinkMenuItem",)):
                args = node["_args"][0]
                if args.get("url", "").startswith("/admin/"):
                    found.append((args["label"], args["url"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(props))
    return found


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("role", ["archivist", "inspector", "admin"])
def test_every_menu_entry_in_chromium(transactional_db, live_server, seeded, browser_page, role):
    page, base = browser_page, live_server.url
    SHOTS.mkdir(exist_ok=True)
    _login(page, base, role)
    body = page.locator("main").inner_text()
    assert "等我处理" in body and not ENGLISH.search(body)
    entries = _menu(page)
    labels = [label for label, _ in entries]
    assert "帮助" in labels and "页面" not in labels and "图片" not in labels
    for n, (label, url) in enumerate(entries):
        response = page.goto(base + url)
        assert response.status == 200, (label, url, response.status)
        text = page.locator("main").inner_text()
        assert not ENGLISH.search(text), (label, ENGLISH.search(text))
        # Nothing wider than the window: wide tables scroll inside their own box.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (label, overflow)
        page.screenshot(path=str(SHOTS / f"{role}-{n:02d}-{url.strip('/').replace('/', '_')}.png"))


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_unknown_household_filed_from_the_queue_in_three_actions(
    transactional_db, live_server, seeded, browser_page
):
    from archive.models import Item

    page, base = browser_page, live_server.url
    _login(page, base, "archivist")
    page.goto(f"{base}/admin/ingest/review/")
    MANUAL_IMG.mkdir(parents=True, exist_ok=True)
    # 1: open the item from the queue
    page.locator("[data-testid=review-queue]").get_by_role(
        "link", name="确认", exact=True
    ).first.click()
    page.wait_for_url(f"**/admin/ingest/review/{seeded.unknown.pk}/")
    page.locator("[data-testid=new-household-form]").scroll_into_view_if_needed()
    page.screenshot(path=str(MANUAL_IMG / "review.png"))
    # 2: choose the subtype (the head's name and ID are filled in from the item)
    page.select_option("[data-testid=new-subtype]", label="核对报告")
    # 3: create the household and file the item
    page.click("[data-testid=create-household]")
    page.wait_for_load_state()
    item = Item.objects.get(pk=seeded.unknown.pk)
    assert item.status == Item.Status.FILED and item.household.head_name == "陈静"
    assert "已新建陈静户并归档" in page.locator("body").inner_text()


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_manual_screenshots(transactional_db, live_server, seeded, browser_page):
    """The pictures of docs/manual/*.md, taken from the seeded archive (and looked at)."""
    from archive.models import Box
    from staffui.boxes import create_box, put_items

    box = create_box(seeded.users.archivist, seeded.filed[0].class_key)
    put_items(seeded.users.archivist, box, [seeded.filed[0].pk])
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1400, "height": 1000})
    _login(page, base, "archivist")
    shots = {
        "dashboard.png": "/admin/",
        "ingest-upload.png": "/admin/ingest/upload/",
        "items-list.png": "/admin/items/?status=filed&year=2024",
        "boxes.png": "/admin/desk/boxes/",
        "printing.png": "/admin/scanning/print/",
        "statistics.png": "/admin/desk/statistics/",
        "box.png": f"/admin/desk/boxes/{Box.objects.get().pk}/",
        "cover-sheets.png": f"/admin/scanning/households/{seeded.zhang.pk}/cover-sheets/",
    }
    for name, url in shots.items():
        assert page.goto(base + url).status == 200, url
        page.screenshot(path=str(MANUAL_IMG / name))
    page.goto(f"{base}/admin/desk/manual/boxes/")
    assert page.locator("[data-testid=manual-body] img").first.evaluate("i => i.naturalWidth") > 0


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_file_picker_and_wide_forms_in_an_english_browser(
    transactional_db, live_server, seeded, browser_page
):
    """An English Chromium still says 选择文件, and a wide extracted form scrolls in its box."""
    from archive.models import Item

    item = seeded.filed[1]
    wide = [{f"col{n}": "很长的内容" * 3 for n in range(14)} for _ in range(3)]
    Item.objects.filter(pk=item.pk).update(
        fields={"form": {"template": "home_visit", "fields": {"members": wide}}}
    )
    page = browser_page.context.browser.new_page(
        viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    base = live_server.url
    _login(page, base, "archivist")
    page.goto(f"{base}/admin/ingest/upload/")
    picker = page.locator(".hd-file__button").first
    assert picker.inner_text().startswith("选择文件")
    assert page.locator(".hd-file__names").first.inner_text() == "未选择文件"
    assert "Choose" not in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "english-browser-upload.png"))
    page.goto(f"{base}/admin/items/{item.pk}/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(SHOTS / "wide-form.png"), full_page=True)
    assert overflow <= 1, overflow
