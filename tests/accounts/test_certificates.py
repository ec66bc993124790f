"""Certificate sign-in (实名认证) through the trusted proxy's header."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import UserCertificate
from archive.models import AuditEntry
from tests.accounts.conftest import signed_in
from tests.accounts.pki import DemoCA, pem

pytestmark = pytest.mark.accounts_gates
URL = "/accounts/gate/certificate/"


@pytest.fixture
def pki(settings, tmp_path, only_gates, make_user):
    only_gates("HEDANG_REQUIRE_CERTIFICATE")
    ca = DemoCA()
    good = ca.issue("王档案")
    revoked = ca.issue("吊销者")
    expired = ca.issue("过期者", days=5, start_days_ago=10)
    ca.revoked.append(revoked.serial_number)
    ca_file, crl_file = ca.write(tmp_path)
    settings.HEDANG_CLIENT_CA_FILE = str(ca_file)
    settings.HEDANG_CLIENT_CRL_FILE = str(crl_file)
    settings.HEDANG_TRUSTED_PROXIES = ["127.0.0.1", "10.1.0.0/24"]
    settings.HEDANG_REQUIRE_CERTIFICATE = True  # off by default (needs the proxy)
    user = make_user("420102", username="archivist")
    for cert in (good, revoked, expired):
        UserCertificate.objects.create(
            user=user,
            serial=format(cert.serial_number, "x"),
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
        )
    return {"ca": ca, "good": good, "revoked": revoked, "expired": expired, "user": user}


def _present(cert, remote="127.0.0.1"):
    client = Client(REMOTE_ADDR=remote)
    response = client.get(URL, HTTP_X_SSL_CLIENT_CERT=quote(pem(cert)))
    return client, response


def test_certificate_from_the_test_ca_signs_its_user_in(pki):
    client, response = _present(pki["good"])
    assert response.status_code == 302 and signed_in(client)
    assert int(client.session["_auth_user_id"]) == pki["user"].pk
    # The certificate requirement is met by this session.
    assert client.get("/admin/").status_code == 200


def test_proxy_in_a_trusted_range(pki):
    client, response = _present(pki["good"], remote="10.1.0.7")
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.parametrize("which", ["revoked", "expired"])
def test_revoked_or_expired_certificate_is_refused(pki, which):
    client, response = _present(pki[which])
    assert response.status_code == 403 and not signed_in(client)
    text = response.content.decode()
    assert ("吊销" in text) if which == "revoked" else ("有效期" in text)
    assert AuditEntry.objects.filter(action="login_failed").exists()


def test_foreign_certificate_is_refused(pki):
    stranger = DemoCA("别处的 CA").issue("王档案")
    client, response = _present(stranger)
    assert response.status_code == 403 and not signed_in(client)
    assert "颁发机构" in response.content.decode()


def test_header_from_an_untrusted_address_is_ignored(pki):
    client, response = _present(pki["good"], remote="192.0.2.10")
    assert response.status_code == 403 and not signed_in(client)
    assert "未收到有效的客户端证书" in response.content.decode()


def test_required_certificate_refuses_password_sessions(pki, client):
    client.force_login(pki["user"])
    response = client.get("/admin/")
    assert response.status_code == 302 and "login" in response.url
    assert not signed_in(client)


def test_unregistered_certificate_is_refused(pki):
    client, response = _present(pki["ca"].issue("无名氏"))
    assert response.status_code == 403 and "未登记" in response.content.decode()


def test_security_admin_binds_a_certificate(pki, make_user, settings):
    settings.HEDANG_REQUIRE_CERTIFICATE = False
    sec = Client()
    sec.force_login(make_user("420000", role="安全管理员", username="sec"))
    target = make_user("420105", username="hanyang")
    cert = pki["ca"].issue("刘汉阳")
    url = reverse("accounts_admin:user", args=[target.pk])
    assert sec.post(url, {"action": "certificate", "pem": "not a cert"}).status_code == 400
    assert sec.post(url, {"action": "certificate", "pem": pem(cert)}).status_code == 302
    client, response = _present(cert)
    assert int(client.session["_auth_user_id"]) == target.pk
