"""高拍仪采集 in a real browser: Debian's Chromium with its fake camera playing a Y4M file.

The "camera" shows a desk with an A4 page on it; each of the file's frames carries a
different QR code and the file plays at one frame a second, so captures a little over a
second apart are different pages. The test captures three, deletes one, moves one, sends,
and checks the stored PDF holds the pages shown, in the order shown; then runs the real
pipeline (OCR included) on it.
"""

from __future__ import annotations

import base64
import os
import time

import numpy as np
import pytest
from PIL import Image

from tests.browser import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.scanning.camera.conftest import marked_page, pdf_page_images, read_markers

pytestmark = [pytest.mark.slow, pytest.mark.browser, needs_chromium]

PASSWORD = "pw-Hedang-2026"
SHOT = "/tmp/scanning-camera.png"
# 4:3 landscape, a 5-megapixel document camera's sensor: 222 dpi on the A4 page it frames
# (ingest refuses less than 200 dpi, DA/T 31-2017).
FRAME_SIZE = (2592, 1944)
PAGE_SIZE = (1300, 1840)
FRAMES = 6  # three captures 1.2 s (+ the test's own delays, < 5 s in all) apart all differ


def camera_frame(number: int, household) -> Image.Image:
    """What the document camera sees: a dark desk with an A4 page, its QR code and text."""
    desk = Image.new("RGB", FRAME_SIZE, (60, 58, 54))
    page = marked_page(
        f"CAM-PAGE-{number}",
        PAGE_SIZE,
        lines=[
            "居民家庭经济状况入户核查表",
            f"户主姓名：{household.head_name}",
            f"身份证号码：{household.head_id_number}",
            f"第 {number} 页  核查日期：2024年3月6日",
        ],
    )
    desk.paste(page, ((FRAME_SIZE[0] - PAGE_SIZE[0]) // 2, (FRAME_SIZE[1] - PAGE_SIZE[1]) // 2))
    return desk


def write_y4m(path, frames: list[Image.Image], fps: int = 1) -> None:
    """An uncompressed YUV 4:2:0 video, the format Chromium's fake capture device plays."""
    width, height = frames[0].size
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            y, cb, cr = (np.asarray(p) for p in frame.convert("YCbCr").split())
            out.write(b"FRAME\n")
            out.write(y.tobytes())
            for plane in (cb, cr):  # 2×2 averaging for the half-size chroma planes
                quarter = plane.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))
                out.write(quarter.round().astype(np.uint8).tobytes())


def shown_pages(page) -> list[bytes]:
    """The JPEG behind each thumbnail in the strip, in the order the page shows them."""
    encoded = page.evaluate(
        """async () => {
            const out = [];
            for (const img of document.querySelectorAll("#hd-strip img")) {
                const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
                let text = "";
                for (let i = 0; i < bytes.length; i += 32768) {
                    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 32768));
                }
                out.push(btoa(text));
            }
            return out;
        }"""
    )
    return [base64.b64decode(e) for e in encoded]


@pytest.fixture
def open_browser(tmp_path):
    """open_browser(allow_camera=True) → a Chromium page whose camera is the fake device
    playing ``camera.y4m`` (the test writes it first, to ``page.video_file``); camera use is
    granted, or refused as by an archivist clicking 「禁止」."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    video = tmp_path / "camera.y4m"
    with sync_playwright() as p:
        browsers = []

        def launch(allow_camera: bool = True, origin: str = ""):
            args = [
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ]
            if allow_camera:
                args.append("--use-fake-ui-for-media-stream")  # no permission prompt
            browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
            browsers.append(browser)
            context = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN")
            if allow_camera:
                context.grant_permissions(["camera"], origin=origin)
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.video_file = video
            return page

        try:
            yield launch
        finally:
            for browser in browsers:
                browser.close()


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "archivist")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_capture_three_delete_one_move_one_and_send(
    transactional_db, live_server, make_user, make_household, isolated_broker, open_browser
):
    from playwright.sync_api import expect

    from archive.models import Item
    from archive.storage import read_blob
    from ingest import pipeline
    from ingest.models import Batch, Document

    make_user("420102", username="archivist", real_name="王档案")
    household = make_household("420102", "张伟")
    page = open_browser(origin=live_server.url)
    write_y4m(page.video_file, [camera_frame(n, household) for n in range(1, FRAMES + 1)])
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/households/{household.pk}/")
    page.locator(f'a[href$="camera/?household={household.pk}"]').click()
    page.wait_for_url(f"**/admin/scanning/camera/?household={household.pk}")
    expect(page.get_by_test_id("household")).to_contain_text("张伟户")

    expect(page.locator("#hd-camera-root")).to_have_attribute("data-camera", "live")
    expect(page.get_by_test_id("resolution")).to_have_text("画面 2592×1944")
    assert page.get_by_test_id("preview").evaluate("v => !v.paused && v.readyState >= 2")
    expect(page.get_by_test_id("send")).to_be_disabled()

    page.locator("body").click(position={"x": 5, "y": 5})  # focus off any control
    for number in range(1, 4):
        if number == 2:
            page.get_by_test_id("capture").click()
        else:
            page.keyboard.press("Space")  # the archivist's usual way
            page.locator("body").click(position={"x": 5, "y": 5})
        expect(page.get_by_test_id("page-count")).to_have_text(str(number))
        if number < 3:
            page.wait_for_timeout(1200)  # the next frame of the 1 fps "camera"
    captured = read_markers(shown_pages(page))
    assert len(set(captured)) == 3 and all(m.startswith("CAM-PAGE-") for m in captured), captured
    expect(page.get_by_test_id("page")).to_have_count(3)
    expect(page.get_by_test_id("send")).to_have_text("提交 3 页")

    pages = page.get_by_test_id("page")
    pages.nth(1).get_by_test_id("page-delete").click()  # drop the second capture
    expect(page.get_by_test_id("page-count")).to_have_text("2")
    pages.nth(0).get_by_test_id("page-later").click()  # the first capture becomes page 2
    shown = shown_pages(page)
    assert read_markers(shown) == [captured[2], captured[0]]
    expect(pages.nth(0)).to_contain_text("第 1 页")
    expect(pages.nth(1)).to_contain_text("第 2 页")

    page.select_option("select[name=category]", "process")
    page.select_option("select[name=subtype]", label="入户核查表")
    page.screenshot(path=SHOT, full_page=True)
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("send-done")).to_be_visible()
    expect(page.get_by_test_id("send-done")).to_contain_text("已提交 2 页")
    expect(page.get_by_test_id("upload-progress")).to_have_attribute("aria-valuenow", "100")
    page.wait_for_url("**/admin/ingest/batches/*/")  # where the processing shows
    expect(page.get_by_text("已提交高拍仪采集的 2 页")).to_be_visible()

    batch = Batch.objects.get()
    assert (batch.source, batch.household, batch.subtype.code) == ("camera", household, "RHB")
    document = Document.objects.get()
    assert document.batch == batch and document.status == Document.Status.QUEUED
    stored = read_blob(document.sha256)
    assert pdf_page_images(stored) == shown  # the browser's JPEGs, unchanged, as shown
    if isolated_broker is not None:  # handed to the workers (none run here)
        assert len(list(isolated_broker.iterdir())) == 1

    # The real pipeline, here and now (the workers are other tests' business).
    started = time.monotonic()
    document = pipeline.process(document.pk)
    assert document.status == Document.Status.FILED, document.error
    item = Item.objects.get(pk=document.item_id)
    assert item.household == household and item.subtype.code == "RHB"
    assert item.page_count == 2 and item.pages.count() == 2
    # The OCR'd text follows the order shown too ("第 n 页" on the page with CAM-PAGE-n).
    texts = [p.text.replace(" ", "") for p in item.pages.order_by("number")]
    for text, marker in zip(texts, [captured[2], captured[0]], strict=True):
        assert household.head_id_number in text, texts
        assert f"第{marker.rsplit('-', 1)[1]}页" in text, texts
    print(f"pipeline.process took {time.monotonic() - started:.1f} s")


def test_refusals_are_shown_in_chinese_and_the_pages_are_kept(
    transactional_db, live_server, make_user, make_household, isolated_broker, open_browser
):
    from playwright.sync_api import expect

    from ingest.models import Batch

    make_user("420102", username="archivist", real_name="王档案")
    household = make_household("420102", "张伟")
    elsewhere = make_household("420502", "李强")  # outside 江岸区's jurisdiction

    # Camera use refused in the browser: the page says so and what to do.
    page = open_browser(allow_camera=False)
    write_y4m(page.video_file, [camera_frame(1, household)])
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/scanning/camera/")
    expect(page.locator("#hd-camera-root")).to_have_attribute("data-camera", "none")
    expect(page.get_by_test_id("camera-error")).to_contain_text("摄像头权限被拒绝")
    expect(page.get_by_test_id("capture")).to_be_disabled()

    # The server refuses the household: its reason is shown, the captured page stays.
    page = open_browser(origin=live_server.url)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/scanning/camera/")
    expect(page.locator("#hd-camera-root")).to_have_attribute("data-camera", "live")
    page.get_by_test_id("capture").click()
    expect(page.get_by_test_id("page-count")).to_have_text("1")
    page.fill("input[name=household_id_number]", elsewhere.head_id_number)
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("camera-error")).to_have_text(
        "服务器拒收：未找到该户，或该户不在您的辖区内"
    )
    expect(page.get_by_test_id("page-count")).to_have_text("1")
    expect(page.get_by_test_id("send")).to_be_enabled()
    expect(page.get_by_test_id("send-done")).to_be_hidden()
    assert not Batch.objects.exists()
