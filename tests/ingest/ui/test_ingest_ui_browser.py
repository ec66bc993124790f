"""Two real browser runs of the ingest screens against the live server.

A: an archivist uploads two scans; a real Celery worker (``start_worker``: an in-process
thread with the same settings, database and storage as the live server; the broker is
kombu's filesystem:// transport, in folders of the test's own) takes both tasks of each
document from their queues, OCRs and files them while the batch page polls to 2/2.
B: an archivist decides a review item: picks the suggested household and the subtype, and
the item is filed with its 档号 in that household.
"""

from __future__ import annotations

import os
import threading

import pytest

from tests.broker import own_broker
from tests.browser import needs_chromium
from tests.ingest.conftest import scan_page

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    needs_chromium,
]

PASSWORD = "pw-Hedang-2026"
UPLOAD_SHOT = "/tmp/ingest-upload.png"
UPLOAD_FORM_SHOT = "/tmp/ingest-upload-form.png"
REVIEW_SHOT = "/tmp/ingest-review.png"
WORKER_NAME = "ingest-ui-test@localhost"


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def home_visit_scan(household, *lines: str) -> bytes:
    return scan_page(
        [
            "居民家庭经济状况入户核查表",
            f"户主姓名：{household.head_name}  身份证号码：{household.head_id_number}",
            "家庭住址：武汉市江岸区台北路88号",
            *lines,
            "核查日期：2024年3月6日",
        ]
    )


@pytest.fixture
def isolated_broker(tmp_path):
    """The Celery app, with a broker of this test's own (tests/broker.py)."""
    from config import celery_app

    with own_broker(tmp_path):
        yield celery_app


def test_upload_two_scans_processed_by_a_real_celery_worker(
    transactional_db,
    live_server,
    make_user,
    make_household,
    browser_page,
    isolated_broker,
    tmp_path,
):
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from playwright.sync_api import expect

    from ingest.models import Document

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    celery_app = isolated_broker
    assert not celery_app.conf.task_always_eager, "the worker must really consume the tasks"
    make_user("420102", username="archivist", real_name="王档案")
    household = make_household("420102", "张伟")
    scans = []
    for number, line in enumerate(
        ["邻里访问情况：邻居反映家庭生活困难。", "住房情况：自有住房一套，约六十平方米。"],
        start=1,
    ):
        path = tmp_path / f"入户核查-{number}.png"
        path.write_bytes(home_visit_scan(household, line))
        scans.append(path)
    page = browser_page

    ran = []

    def record_task(sender=None, task_id=None, args=None, **kwargs):
        queue = (sender.request.delivery_info or {}).get("routing_key")
        ran.append((sender.name, args[0], queue, threading.current_thread().name))

    task_postrun.connect(record_task, weak=False)
    before = {t.name for t in threading.enumerate()}
    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        queues=["celery", "ocr"],
        hostname=WORKER_NAME,
        shutdown_timeout=60,
    ) as worker:
        assert worker.hostname == WORKER_NAME
        worker_threads = {t.name for t in threading.enumerate()} - before
        log_in(page, live_server, "archivist")
        page.get_by_role("link", name="采集上传").first.click()
        page.wait_for_url("**/admin/ingest/upload/")
        page.set_input_files("input[name=files]", [str(p) for p in scans])
        expect(page.locator("#hd-file-list li")).to_have_count(2)
        page.screenshot(path=UPLOAD_FORM_SHOT, full_page=True)
        page.get_by_test_id("upload-submit").click()
        page.wait_for_url("**/admin/ingest/batches/*/")
        # The page polls every second; OCR of two A4 pages takes a while.
        expect(page.get_by_test_id("progress-done")).to_have_text("2", timeout=300_000)
        expect(page.get_by_test_id("progress-total")).to_have_text("2")
        expect(page.get_by_test_id("progress-state")).to_have_text("全部处理完毕")
        expect(page.locator("#hd-documents .hd-status--filed")).to_have_count(2)
        expect(page.locator("#hd-progress-bar")).to_have_attribute("style", "width: 100%;")
        page.wait_for_timeout(600)  # the bar's CSS transition
        page.screenshot(path=UPLOAD_SHOT, full_page=True)

    task_postrun.disconnect(record_task)
    documents = list(Document.objects.order_by("pk"))
    assert [d.status for d in documents] == ["filed", "filed"], [d.error for d in documents]
    # Both tasks of both documents were taken from their broker queues and ran in the
    # worker's thread; the web process only enqueued them. (Under the embedded worker, Celery reports the machine's
    # host name as request.hostname, so Document.worker does not name the test worker.)
    expected = {
        (task, d.pk, queue)
        for d in documents
        for task, queue in (
            ("ingest.tasks.ocr_document", "ocr"),
            ("ingest.tasks.file_document", "celery"),
        )
    }
    assert {(task, pk, queue) for task, pk, queue, _ in ran} == expected
    threads = {thread for *_, thread in ran}
    assert threads and threads <= worker_threads
    assert all(d.worker and d.worker != "local" and d.attempts >= 1 for d in documents)
    assert {d.item.household_id for d in documents} == {household.pk}

    page.goto(f"{live_server.url}/admin/households/{household.pk}/")
    expect(page.get_by_role("link", name="张伟户入户核查表")).to_have_count(2)
    for document in documents:
        expect(page.get_by_role("link", name=document.item.archive_number)).to_be_visible()


def test_review_item_is_filed_from_the_review_page(
    transactional_db, live_server, make_user, make_household, make_review_item, browser_page
):
    from playwright.sync_api import expect

    from archive.models import Item

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    make_user("420102", username="archivist", real_name="王档案")
    household = make_household("420102", "张伟")
    other = make_household("420102", "张卫", birth="19700101")
    item = make_review_item(household, candidates=[household, other])
    page = browser_page

    log_in(page, live_server, "archivist")
    page.get_by_role("link", name="待确认").first.click()
    page.wait_for_url("**/admin/ingest/review/")
    page.get_by_test_id("start-review").click()
    page.wait_for_url(f"**/admin/ingest/review/{item.pk}/")
    expect(page.get_by_test_id("thumbnail")).to_have_count(1)
    assert page.get_by_test_id("thumbnail").evaluate("img => img.naturalWidth") > 100
    expect(page.get_by_test_id("page-text")).to_contain_text("居民家庭经济状况入户核查表")
    expect(page.get_by_test_id("identifiers")).to_contain_text(household.head_id_number)

    page.get_by_label("张伟户").check()
    page.select_option("select[name=category]", "process")
    # Only the chosen category's subtypes are offered.
    report_option = page.locator("select[name=subtype] option[data-category=report]").first
    assert report_option.evaluate("option => option.hidden && option.disabled")
    page.select_option("select[name=subtype]", label="入户核查表")
    page.screenshot(path=REVIEW_SHOT, full_page=True)
    page.get_by_test_id("accept").click()

    page.wait_for_url("**/admin/ingest/review/")  # the queue, now empty
    item.refresh_from_db()
    assert item.status == Item.Status.FILED and item.household == household
    expect(page.get_by_text(f"已归档：{item.archive_number}")).to_be_visible()
    expect(page.get_by_text("没有待确认的件。")).to_be_visible()

    page.goto(f"{live_server.url}/admin/households/{household.pk}/")
    expect(page.get_by_role("link", name=item.archive_number)).to_be_visible()
    expect(page.get_by_role("link", name="张伟户入户核查表")).to_be_visible()
