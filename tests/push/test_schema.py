"""The push endpoints in the OpenAPI description; schemathesis against a live server."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from drf_spectacular.validation import validate_schema

PUSH_PATHS = ("/api/v1/reports", "/api/v1/materials")


@pytest.mark.django_db
def test_push_endpoints_are_described(anon_client):
    schema = yaml.safe_load(anon_client.get("/api/v1/schema").content)
    validate_schema(schema)
    paths = schema["paths"]
    for path in (*PUSH_PATHS, "/api/v1/items/{key}/signatures", "/api/v1/print-tasks"):
        assert path in paths
    for path in PUSH_PATHS:
        operation = paths[path]["post"]
        body = operation["requestBody"]["content"]["multipart/form-data"]
        assert body["encoding"]["metadata"]["contentType"] == "application/json"
        assert {"201", "200", "400", "401", "403", "409", "413", "422", "429"} <= set(
            operation["responses"]
        )
        assert {"platformToken": []} in operation["security"]
    components = schema["components"]["schemas"]
    assert set(components["Receipt"]["properties"]) == {
        "archive_number",
        "household",
        "sha256",
        "signature",
        "archived_at",
        "seal",
    }
    assert set(components["SealPromise"]["properties"]) == {"status", "message"}
    assert "/api/v1/print-tasks/{key}/copy" in paths
    report = components["ReportMetadata"]
    assert {"report_number", "issued_on", "household"} <= set(report["required"])
    scheme = schema["components"]["securitySchemes"]["platformToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


@pytest.fixture
def anon_client(platform_client):
    """The schema is behind login (docs/security.md): a platform token reads it."""
    return platform_client("420102")


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(
    transactional_db, live_server, token_for, settings, tmp_path
):
    """Property-based requests against the push, signature and print-task operations of a
    live server: every answer is a non-5xx (``not_a_server_error``)."""
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    if st is None:
        pytest.skip("schemathesis is not installed")
    settings.HEDANG_PUSH_RATE = "1000000/min"
    secret, _ = token_for("420100")
    command = [
        st,
        "run",
        f"{live_server.url}/api/v1/schema",
        "-H",
        f"Authorization: Token {secret}",
        "--include-path-regex",
        r"^/api/v1/(reports|materials|items/\{key\}/signatures|print-tasks.*)$",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        "30",
        "--workers",
        "1",
        "--seed",
        "20240318",
        "--warnings",
        "off",
        "--no-color",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
