"""Second factor (TOTP + recovery codes) and the three separate administrators (三员分立)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.models import AuditEntry
from tests.accounts.conftest import signed_in

pytestmark = pytest.mark.accounts_gates


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def enrol(client, user) -> list[str]:
    client.get(reverse("accounts:gate_otp_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:gate_otp_setup"), {"token": _code(device)})
    assert response.status_code == 200
    return list(response.context["codes"])


def test_required_role_cannot_reach_the_admin_without_second_factor(make_user, only_gates):
    only_gates("HEDANG_REQUIRE_TOTP")
    user = make_user("420000", role="安全管理员", username="sec")
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(
        reverse("accounts:gate_otp_setup")
    )
    assert client.get("/api/v1/households").status_code == 403
    page = client.get(reverse("accounts:gate_otp_setup"))
    assert "<svg" in page.content.decode() and page.context["required"]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post(reverse("accounts:gate_otp_setup"), {"token": "000000"}).status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp throttles guessing
    device.throttle_reset()
    response = client.post(reverse("accounts:gate_otp_setup"), {"token": _code(device)})
    codes = response.context["codes"]
    assert len(codes) == 10
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="create", detail__otp="enrol").exists()

    # A new sign-in is challenged; a wrong code is refused, the right one lets in.
    second = Client()
    second.force_login(user)
    response = second.get("/admin/")
    assert response.url.startswith(reverse("accounts:gate_otp"))
    assert second.post(reverse("accounts:gate_otp"), {"token": "123456"}).status_code == 400
    for throttled in (TOTPDevice, StaticDevice):  # a wrong code throttles every device for 1 s
        throttled.objects.get(user=user).throttle_reset()
    # A TOTP code is accepted once per step: use a recovery code here (single use).
    assert second.post(reverse("accounts:gate_otp"), {"token": codes[0]}).status_code == 302
    assert second.get("/admin/").status_code == 200
    third = Client()
    third.force_login(user)
    assert third.post(reverse("accounts:gate_otp"), {"token": codes[0]}).status_code == 400


def test_other_roles_may_skip_the_second_factor(make_user, only_gates):
    only_gates("HEDANG_REQUIRE_TOTP")
    client = Client()
    client.force_login(make_user("420102", username="clerk"))
    assert client.get("/admin/").status_code == 200


def test_superuser_needs_it_too_and_every_use_is_logged(make_user, only_gates):
    only_gates("HEDANG_REQUIRE_TOTP", "HEDANG_BREAK_GLASS_AUDIT")
    root = make_user("420000", role=None, username="root", is_superuser=True)
    client = Client()
    client.force_login(root)
    assert client.get("/admin/").status_code == 302
    enrol(client, root)
    assert client.get("/admin/").status_code == 200
    alarms = AuditEntry.objects.filter(action="alarm", actor=root)
    assert alarms.filter(detail__event="superuser_login").exists()
    assert alarms.filter(detail__path="/admin/").exists()


def test_security_admin_resets_second_factor_and_it_is_logged(make_user, only_gates):
    only_gates()
    user = make_user("420102", username="clerk")
    owner = Client()
    owner.force_login(user)
    enrol(owner, user)
    sec = Client()
    sec.force_login(make_user("420000", role="安全管理员", username="sec"))
    response = sec.post(reverse("accounts_admin:user", args=[user.pk]), {"action": "reset_otp"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="delete", detail__otp="reset").exists()


def _audit_log(client):
    return client.get(reverse("archive_auditentry:index"))


def test_three_administrators_are_separate(make_user, only_gates, hubei):
    only_gates()
    system = make_user("420000", role="系统管理员", username="sys")
    security = make_user("420000", role="安全管理员", username="sec")
    auditor = make_user("420000", role="审计管理员", username="aud")
    clerk = make_user("420102", username="clerk")
    c_sys, c_sec, c_aud = Client(), Client(), Client()
    c_sys.force_login(system)
    c_sec.force_login(security)
    c_aud.force_login(auditor)

    # The audit administrator reads the log (the security admin's actions too) …
    c_sec.get(reverse("accounts_admin:user", args=[clerk.pk]))
    assert _audit_log(c_aud).status_code == 200
    # … but cannot change accounts.
    assert c_aud.get(reverse("wagtailusers_users:edit", args=[clerk.pk])).status_code in (302, 403)
    assert c_aud.get(reverse("accounts_admin:index")).status_code in (302, 403)
    # The security administrator manages accounts but cannot read the log (its personal data).
    assert c_sec.get(reverse("wagtailusers_users:edit", args=[clerk.pk])).status_code == 200
    assert _audit_log(c_sec).status_code in (302, 403)
    assert not security.has_perm("archive.view_auditentry")
    assert not security.has_perm("archive.view_household")
    # The system administrator configures agencies but neither accounts nor the log.
    assert system.has_perm("archive.change_agency")
    assert c_sys.get(reverse("wagtailusers_users:edit", args=[clerk.pk])).status_code in (302, 403)
    assert _audit_log(c_sys).status_code in (302, 403)


def test_one_account_cannot_hold_two_administrator_roles(make_user, only_gates):
    only_gates()
    root = make_user("420000", role=None, username="root", is_superuser=True)
    target = make_user("420000", role="安全管理员", username="sec")
    client = Client()
    client.force_login(root)
    response = client.post(
        reverse("wagtailusers_users:edit", args=[target.pk]),
        {
            "username": "sec",
            "real_name": "安全员",
            "email": "",
            "agency": target.agency_id,
            "is_active": "on",
            "groups": [
                Group.objects.get(name="安全管理员").pk,
                Group.objects.get(name="审计管理员").pk,
            ],
        },
    )
    assert response.status_code == 200
    assert "三员分立" in response.content.decode()
    assert list(target.groups.values_list("name", flat=True)) == ["安全管理员"]
    assert signed_in(client)
