"""安全保密承诺书 (Appendix F), account approval (审批备案) and 离职 hand-over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountRequest, Commitment, Handover
from archive.models import AuditEntry, User
from tests.accounts.conftest import signed_in

pytestmark = pytest.mark.accounts_gates


def test_without_a_current_commitment_only_the_commitment_page_is_reached(
    client, make_user, make_household, only_gates, commit
):
    only_gates("HEDANG_REQUIRE_COMMITMENT")
    user = make_user("420102", username="clerk", real_name="李四")
    commit(user, signed_on=timezone.localdate() - dt.timedelta(days=400))  # a year ago: stale
    household = make_household("420102")
    client.force_login(user)
    for url in (
        "/admin/",
        f"/admin/households/{household.pk}/",
        reverse("archive_auditentry:index"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:gate_commitment"))
    api = client.get("/api/v1/households")
    assert api.status_code == 403 and api.json()["error"]["code"] == "commitment_required"
    page = client.get(reverse("accounts:gate_commitment"))
    assert "不查询非核对对象的经济信息" in page.content.decode()
    wrong = client.post(reverse("accounts:gate_commitment"), {"signature": "张三", "agree": "on"})
    assert wrong.status_code == 400 and "真实姓名" in wrong.content.decode()
    response = client.post(
        reverse("accounts:gate_commitment"), {"signature": "李四", "agree": "on", "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    row = Commitment.objects.filter(user=user).first()
    assert row.signed_on == timezone.localdate() and row.method == "esign"
    assert AuditEntry.objects.filter(action="create", detail__commitment="esign").exists()


def test_due_list_and_scanned_copy(make_user, only_gates, commit):
    only_gates()
    due = make_user("420102", username="due")
    fresh = make_user("420102", username="fresh")
    commit(fresh)
    sec = Client()
    sec.force_login(make_user("420000", role="安全管理员", username="sec"))
    page = sec.get(reverse("accounts_admin:commitments_due")).content.decode()
    assert "<td>due</td>" in page and "<td>fresh</td>" not in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")
    response = sec.post(
        reverse("accounts_admin:user", args=[due.pk]),
        {"action": "scan", "signed_on": timezone.localdate().isoformat(), "scan": bad},
    )
    assert response.status_code == 400 and "PDF" in response.content.decode()
    scan = SimpleUploadedFile("承诺书.pdf", b"%PDF-1.4 scanned", content_type="application/pdf")
    response = sec.post(
        reverse("accounts_admin:user", args=[due.pk]),
        {"action": "scan", "signed_on": timezone.localdate().isoformat(), "scan": scan},
    )
    assert response.status_code == 302
    assert Commitment.objects.get(user=due).method == "scan"
    assert "<td>due</td>" not in sec.get(reverse("accounts_admin:commitments_due")).content.decode()


def _create(client, hubei, username="newclerk"):
    return client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": username,
            "real_name": "新人",
            "agency": hubei["420102"].pk,
            "email": "",
            "password1": "Hedang-Strong-2026",
            "password2": "Hedang-Strong-2026",
            "groups": [Group.objects.get(name="档案管理员").pk],
        },
    )


def test_new_user_stays_inactive_until_another_security_admin_approves(
    make_user, hubei, only_gates
):
    only_gates("HEDANG_ACCOUNT_APPROVAL")
    one, two = Client(), Client()
    one.force_login(make_user("420000", role="安全管理员", username="sec1"))
    two.force_login(make_user("420000", role="安全管理员", username="sec2"))
    assert _create(one, hubei).status_code == 302
    user = User.objects.get(username="newclerk")
    assert not user.is_active and not user.groups.exists()
    assert not Client().login(username="newclerk", password="Hedang-Strong-2026")
    row = AccountRequest.objects.get(user=user)
    assert row.proposed["groups"] == ["档案管理员"] and row.proposed["agency"] == "420102"
    # The requester cannot approve their own request.
    one.post(reverse("accounts_admin:decide", args=[row.pk]), {"decision": "approve"})
    row.refresh_from_db()
    user.refresh_from_db()
    assert row.status == "pending" and not user.is_active
    response = two.post(reverse("accounts_admin:decide", args=[row.pk]), {"decision": "approve"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and list(user.groups.values_list("name", flat=True)) == ["档案管理员"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"request", "approve", "change"} <= actions


def test_role_change_waits_for_approval(make_user, hubei, only_gates):
    only_gates("HEDANG_ACCOUNT_APPROVAL")
    one, two = Client(), Client()
    one.force_login(make_user("420000", role="安全管理员", username="sec1"))
    two.force_login(make_user("420000", role="安全管理员", username="sec2"))
    clerk = make_user("420102", username="clerk", real_name="李四")
    response = one.post(
        reverse("wagtailusers_users:edit", args=[clerk.pk]),
        {
            "username": "clerk",
            "real_name": "李四",
            "email": "",
            "agency": hubei["420105"].pk,
            "is_active": "on",
            "groups": [Group.objects.get(name="信息管理").pk],
        },
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.agency.region_code == "420102"
    assert list(clerk.groups.values_list("name", flat=True)) == ["档案管理员"]
    row = AccountRequest.objects.get(user=clerk, kind="change")
    two.post(reverse("accounts_admin:decide", args=[row.pk]), {"decision": "refuse"})
    row.refresh_from_db()
    clerk.refresh_from_db()
    assert row.status == "refused" and clerk.agency.region_code == "420102"
    assert AuditEntry.objects.filter(action="refuse").exists()


def test_leaving_disables_at_once_ends_sessions_and_records_successor(make_user, only_gates):
    only_gates("HEDANG_END_SESSIONS_ON_CHANGE")
    leaving = make_user("420102", username="leaving")
    successor = make_user("420102", username="successor")
    session = Client()
    session.force_login(leaving)
    sec = Client()
    sec.force_login(make_user("420000", role="安全管理员", username="sec"))
    response = sec.post(
        reverse("accounts_admin:user", args=[leaving.pk]),
        {"action": "deactivate", "successor": successor.pk, "reason": "调离"},
    )
    assert response.status_code == 302
    leaving.refresh_from_db()
    assert not leaving.is_active and not signed_in(session)
    handover = Handover.objects.get(user=leaving)
    assert handover.successor == successor
    assert AuditEntry.objects.filter(detail__successor="successor").exists()


def test_out_of_jurisdiction_account_is_404(make_user, only_gates):
    only_gates()
    other = make_user("420105", username="other")
    sec = Client()
    sec.force_login(make_user("420102", role="安全管理员", username="sec"))
    assert sec.get(reverse("accounts_admin:user", args=[other.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="denied").exists()
