"""create_platform_token, revoke_platform_token, create_archive_certificate."""

from __future__ import annotations

import json
import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from archive.models import PlatformToken, User

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_platform_token_json_and_use(hubei):
    payload = json.loads(
        run("create_platform_token", "main-platform", "--agency", "420100", "--json")
    )
    assert set(payload) == {"name", "agency", "token"}
    assert (payload["name"], payload["agency"]) == ("main-platform", "420100")
    token = PlatformToken.objects.get()
    assert payload["token"] not in str(token.__dict__)  # stored hashed only
    assert payload["token"].startswith(f"hd_{token.prefix}.")
    user = User.objects.get(username="platform:main-platform")
    assert user.agency.region_code == "420100"
    assert not user.has_usable_password()
    assert user.groups.filter(name="平台接口").exists()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {payload['token']}")
    assert client.get("/api/v1/households").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    with pytest.raises(CommandError, match="已有名为"):
        call_command("create_platform_token", "main-platform", "--agency", "420100")
    with pytest.raises(CommandError, match="没有行政区划代码"):
        call_command("create_platform_token", "x", "--agency", "999999")

    revoked = json.loads(run("revoke_platform_token", "main-platform", "--json"))
    assert revoked["revoked"] == [token.prefix]
    assert client.get("/api/v1/households").status_code == 401
    # A new token of the same name works again with the same account.
    fresh = json.loads(
        run("create_platform_token", "main-platform", "--agency", "420102", "--json")
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {fresh['token']}")
    assert client.get("/api/v1/households").status_code == 200
    assert User.objects.get(username="platform:main-platform").agency.region_code == "420102"
    with pytest.raises(CommandError):
        call_command("revoke_platform_token", "nobody")


def test_token_requests_on_other_endpoints_are_logged(token_for):
    from archive.models import AuditEntry

    secret, token = token_for("420102")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    client.get("/api/v1/households")
    entry = AuditEntry.objects.filter(action="api").get()
    assert entry.detail["token"] == token.prefix
    assert entry.detail["path"] == "/api/v1/households"


def test_create_archive_certificate(tmp_path, settings):
    settings.HEDANG_ARCHIVE_KEY = tmp_path / "keys" / "archive-key.pem"
    settings.HEDANG_ARCHIVE_CERT = tmp_path / "keys" / "archive-cert.pem"
    payload = json.loads(run("create_archive_certificate", "--json"))
    assert payload["created"] is True
    assert payload["subject"] == "核档电子档案归档签章"
    for path in (settings.HEDANG_ARCHIVE_KEY, settings.HEDANG_ARCHIVE_CERT):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.HEDANG_ARCHIVE_KEY.parent.stat().st_mode) == 0o700
    with pytest.raises(CommandError, match="已存在"):
        call_command("create_archive_certificate")
    again = json.loads(run("create_archive_certificate", "--if-missing", "--json"))
    assert (again["created"], again["sha256"]) == (False, payload["sha256"])
    forced = json.loads(run("create_archive_certificate", "--force", "--json"))
    assert forced["sha256"] != payload["sha256"]

    from archive import certificates

    certificates.clear_caches()
    assert certificates.archive_signer().signing_cert.sha256.hex() == forced["sha256"]
