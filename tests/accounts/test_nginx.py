"""End to end through nginx with docs/nginx-client-cert.conf: TLS with a client certificate of
the test CA, nginx verifies it and passes it on, the application signs its user in."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from accounts.models import UserCertificate
from tests.accounts.pki import DemoCA, key_pem

CONF = Path(__file__).resolve().parents[2] / "docs" / "nginx-client-cert.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.accounts_gates,
    pytest.mark.skipif(not Path(NGINX).exists(), reason="needs Debian's nginx (scripts/setup.sh)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nginx(tmp_path, live_server, settings, only_gates):
    only_gates("HEDANG_REQUIRE_CERTIFICATE")
    ca = DemoCA()
    tls = tmp_path / "tls"
    tls.mkdir()
    server, server_key = ca.issue_with_key("localhost", server=True)
    (tls / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (tls / "server.key").write_bytes(key_pem(server_key))
    ca_file, crl_file = ca.write(tls)
    (tls / "agency-ca.pem").write_bytes(ca_file.read_bytes())
    (tls / "agency-ca.crl").write_bytes(crl_file.read_bytes())
    settings.HEDANG_CLIENT_CA_FILE = str(ca_file)
    settings.HEDANG_CLIENT_CRL_FILE = str(crl_file)
    settings.HEDANG_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.HEDANG_REQUIRE_CERTIFICATE = True
    port = _free_port()
    upstream = live_server.url.replace("http://localhost", "http://127.0.0.1")
    site = (
        CONF.read_text()
        .replace("/etc/hedang/tls", str(tls))
        .replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
        .replace("http://127.0.0.1:8000", upstream)
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}; proxy_temp_path {tmp_path};\n"
        f"include {tmp_path}/site.conf; }}\n"
    )
    proc = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield {"ca": ca, "port": port, "tls": tls, "tmp": tmp_path}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _get(nginx, path: str, cert=None, key=None):
    context = ssl.create_default_context(cafile=str(nginx["tls"] / "agency-ca.pem"))
    if cert is not None:
        cert_file, key_file = nginx["tmp"] / "client.pem", nginx["tmp"] / "client.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key_pem(key))
        context.load_cert_chain(str(cert_file), str(key_file))

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect())
    try:
        response = opener.open(f"https://localhost:{nginx['port']}{path}", timeout=20)
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()
    return response.status, response.headers, response.read().decode()


def test_client_certificate_through_nginx_signs_in(transactional_db, nginx, make_user):
    user = make_user("420102", username="archivist")
    cert, key = nginx["ca"].issue_with_key("王档案")
    UserCertificate.objects.create(
        user=user,
        serial=format(cert.serial_number, "x"),
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
    )
    status, headers, _ = _get(nginx, "/accounts/gate/certificate/?next=/admin/", cert, key)
    assert status == 302 and headers["Location"] == "/admin/"
    assert any(c.startswith("sessionid=") for c in headers.get_all("Set-Cookie"))
    # Without a certificate nginx passes an empty header: refused.
    status, _, body = _get(nginx, "/accounts/gate/certificate/")
    assert status == 403 and "未收到有效的客户端证书" in body
