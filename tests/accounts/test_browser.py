"""Chromium: the lockout message, TOTP enrolment and challenge, the commitment page, the
agency tree of the user form. Screenshots go to docs/manual/img/ (the user guide uses them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser import needs_chromium

IMG = Path(__file__).resolve().parents[2] / "docs" / "manual" / "img"
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.accounts_gates, needs_chromium]


def _login(page, url, username, password="pw-Hedang-2026"):
    page.goto(f"{url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_lockout_message(transactional_db, live_server, make_user, browser_page, only_gates):
    only_gates("AXES_ENABLED")
    make_user("420102", username="zhang", real_name="张三")
    page = browser_page
    for _ in range(6):
        _login(page, live_server.url, "zhang", "wrong-Password-1")
    message = page.get_by_test_id("lockout-message")
    message.wait_for()
    assert "账号已锁定" in message.inner_text()
    page.screenshot(path=str(IMG / "accounts-lockout.png"))
    _login(page, live_server.url, "zhang")  # the right password, still refused
    page.wait_for_load_state()
    page.get_by_test_id("lockout-message").wait_for()
    assert "/admin/login/" in page.url


def test_totp_enrolment_challenge_and_commitment(
    transactional_db, live_server, make_user, browser_page, only_gates
):
    only_gates("HEDANG_REQUIRE_TOTP", "HEDANG_REQUIRE_COMMITMENT")
    user = make_user("420000", role="安全管理员", username="sec", real_name="吴安全")
    page = browser_page
    _login(page, live_server.url, "sec")
    page.wait_for_url("**/accounts/gate/otp/setup/**")
    assert page.get_by_test_id("otp-qr").locator("svg").count() == 1
    page.screenshot(path=str(IMG / "accounts-otp-setup.png"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
    page.get_by_test_id("otp-submit").click()
    page.get_by_test_id("recovery-codes").wait_for()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_test_id("continue").click()
    # Next gate: the confidentiality commitment; nothing else is reachable meanwhile.
    page.wait_for_url("**/accounts/gate/commitment/**")
    page.goto(f"{live_server.url}/admin/audit-log/")
    page.wait_for_url("**/accounts/gate/commitment/**")
    assert "安全保密承诺书" in page.get_by_test_id("commitment-text").inner_text()
    page.screenshot(path=str(IMG / "accounts-commitment.png"), full_page=True)
    page.fill("input[name=signature]", "吴安全")
    page.check("input[name=agree]")
    page.get_by_test_id("commitment-submit").click()
    page.wait_for_url(lambda url: "/accounts/gate/" not in url)

    # Signing in again: the second factor is asked for; a recovery code answers it.
    page.context.clear_cookies()
    _login(page, live_server.url, "sec")
    page.wait_for_url("**/accounts/gate/otp/**")
    page.fill("input[name=token]", "000000")
    page.get_by_test_id("otp-submit").click()
    page.get_by_test_id("gate-error").wait_for()
    assert "验证码不正确" in page.get_by_test_id("gate-error").inner_text()
    page.screenshot(path=str(IMG / "accounts-otp-challenge.png"))
    from django_otp.plugins.otp_static.models import StaticDevice

    for throttled in (TOTPDevice, StaticDevice):  # a wrong code throttles for a second
        throttled.objects.get(user=user).throttle_reset()
    page.fill("input[name=token]", codes[0])
    page.get_by_test_id("otp-submit").click()
    page.wait_for_url(f"{live_server.url}/admin/")


def test_agency_tree_in_the_user_form(
    transactional_db, live_server, make_user, browser_page, only_gates, hubei
):
    only_gates()
    make_user("420000", role=None, username="root", is_superuser=True)
    page = browser_page
    _login(page, live_server.url, "root")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(live_server.url + reverse("wagtailusers_users:add"))
    tree = page.locator(".hd-agency-tree")
    assert tree.is_visible()
    tree.locator("select[data-level=province]").select_option(str(hubei["420000"].pk))
    tree.locator("select[data-level=city]").select_option(str(hubei["420100"].pk))
    tree.locator("select[data-level=county]").select_option(str(hubei["420102"].pk))
    assert page.locator("#id_agency").input_value() == str(hubei["420102"].pk)
    page.screenshot(path=str(IMG / "accounts-user-form.png"))
