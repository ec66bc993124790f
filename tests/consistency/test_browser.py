"""The staff page of open discrepancies in a real browser: the page region beside the
electronic value, and an archivist's decision recorded from the page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.browser import needs_chromium

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs/manual/img/consistency-discrepancies.png"


def _snippet(text: str) -> bytes:
    font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 40)
    image = Image.new("L", (760, 80), 255)
    ImageDraw.Draw(image).text((20, 15), text, font=font, fill=0)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_archivist_resolves_a_discrepancy(
    transactional_db, live_server, make_user, make_household, make_item, browser_page
):
    from archive.filing import file_item
    from archive.models import AuditEntry
    from consistency.check import key_of
    from consistency.models import Discrepancy, RecordVersion

    household = make_household("420102", "张伟")
    electronic = file_item(make_item(household, "HDB"))
    paper = file_item(make_item(household, "HDB"))
    right = household.head_id_number
    wrong = right[:12] + str((int(right[12]) + 3) % 10) + right[13:]
    d = Discrepancy.objects.create(
        key=key_of("content", electronic.pk, paper.pk, "id_number", wrong, right, 1),
        kind="content",
        item=electronic,
        paper_item=paper,
        field="id_number",
        context="张伟",
        electronic=wrong,
        paper=right,
        page=1,
        confidence=0.91,
        snippet=_snippet(f"张伟  {right}  本人"),
    )
    make_user("420102", username="archivist", real_name="王档案")
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "archivist")
    page.fill("input[name=password]", "pw-Hedang-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.get_by_role("link", name="纸电不一致").first.click()
    page.wait_for_url("**/admin/consistency/")
    row = page.get_by_test_id("discrepancies").locator("tr[data-field=id_number]")
    assert row.locator("img").evaluate("img => img.naturalWidth") == 760
    assert wrong in row.inner_text() and right in row.inner_text()
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    form = page.get_by_test_id("discrepancies").locator(f"tr[data-resolve='{d.pk}']")
    form.locator("select[name=decision]").select_option("electronic_wrong")
    form.locator("input[name=note]").fill("已调阅纸质报告，身份证号以纸质为准")
    form.get_by_role("button", name="记录处理").click()
    page.wait_for_selector("[data-testid=no-discrepancies]")
    d.refresh_from_db()
    assert d.status == Discrepancy.Status.ELECTRONIC_CORRECTED
    assert RecordVersion.objects.filter(item=electronic).count() == 2
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CORRECT).exists()
