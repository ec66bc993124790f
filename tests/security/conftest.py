"""Fixtures of the data-protection tests: the API's logged-in clients and the platform's
tokens and signed PDFs (reused from tests/api and tests/platform), an isolated audit-key
folder and anchor folder per test."""

from __future__ import annotations

import pytest

from tests.archive.api.conftest import anon, client_for, denials  # noqa: F401
from tests.push.conftest import (  # noqa: F401
    archive_keys,
    platform_client,
    platform_settings,
    platform_signer,
    signed_report,
    test_ca,
    token_for,
)


@pytest.fixture(autouse=True)
def _audit_places(settings, tmp_path):
    """Anchors of this test go to its own folder (a stale anchor would break verify)."""
    settings.HEDANG_AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    yield settings
