"""The OpenAPI description and the documentation page, served without a CDN."""

from __future__ import annotations

import json

import pytest
import yaml
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client_for):
    """The schema and docs are behind login (docs/security.md)."""
    return client_for("420102", "档案管理员")[0]


def test_schema_is_valid_openapi(member):
    anon = member
    response = anon.get("/api/v1/schema")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/households",
        "/api/v1/households/{head_id_number}",
        "/api/v1/items",
        "/api/v1/items/{key}",
        "/api/v1/items/{key}/files/{sha256}",
        "/api/v1/agencies",
        "/api/v1/audit",
    ):
        assert path in paths
    assert all(p.startswith("/api/v1/") for p in paths)
    errors = paths["/api/v1/households"]["post"]["responses"]["400"]
    assert errors["content"]["application/json"]["schema"]["$ref"].endswith("/Error")

    as_json = anon.get("/api/v1/schema?format=json")
    assert json.loads(as_json.content)["info"]["title"] == schema["info"]["title"]


def test_docs_page_uses_local_assets(member, anon):
    response = member.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page
    assert "cdn.jsdelivr.net" not in page
    asset = anon.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert b"".join(asset.streaming_content)
    missing = anon.get("/api/v1/docs/assets/..%2Fsettings.py")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
