"""Downloading a stored file: the same bytes, the media type, and a ``download`` entry."""

from __future__ import annotations

import pytest

from archive.filing import file_item
from archive.models import AuditEntry
from archive.storage import read_blob

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(make_household, make_item):
    return file_item(make_item(make_household("420102"), "SQS"))


def test_download_returns_identical_bytes_and_logs(client_for, item):
    stored = item.files.get()
    # Originals need the full-ID permission (issue 12): an archivist, not an inspector.
    client, user = client_for("420102", "档案管理员")
    listed = client.get(f"/api/v1/items/{item.archive_number}").json()["files"]
    url = listed[0]["url"]
    response = client.get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == read_blob(stored.sha256)
    assert "attachment" in response["Content-Disposition"]
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD).get()
    assert entry.actor_name == user.username
    assert (entry.object_type, entry.object_id) == ("archive.File", str(stored.pk))
    assert entry.detail["sha256"] == stored.sha256
    assert entry.detail["archive_number"] == item.archive_number
    # Viewing the item was logged too.
    assert AuditEntry.objects.filter(action="view", object_id=str(item.pk)).exists()


def test_unknown_sha_is_404_json(client_for, item):
    client, _ = client_for("420102")
    response = client.get(f"/api/v1/items/{item.archive_number}/files/{'0' * 64}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD).exists()


def test_archive_number_may_be_typed_with_a_plain_dot(client_for, item):
    client, _ = client_for("420102")
    typed = item.archive_number.replace("·", ".")
    response = client.get(f"/api/v1/items/{typed}")
    assert response.status_code == 200
    assert response.json()["archive_number"] == item.archive_number
