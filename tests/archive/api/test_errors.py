"""The JSON error shape: 401, 404 for unknown paths, and the handler's other statuses."""

from __future__ import annotations

import pytest
from rest_framework import exceptions

from archive.api.errors import exception_handler

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/api/v1/households", "/api/v1/items", "/api/v1/agencies", "/api/v1/audit"],
)
def test_unauthenticated_is_401_json(anon, path):
    response = anon.get(path)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Session")


def test_unauthenticated_post_is_401_and_stores_nothing(anon, hubei):
    from archive.models import Household

    response = anon.post(
        "/api/v1/households", {"head_id_number": "11010519491231002X"}, format="json"
    )
    assert response.status_code == 401
    assert not Household.objects.exists()


def test_unknown_api_path_is_json_404(anon, client_for):
    for client in (anon, client_for("420102")[0]):
        response = client.get("/api/v1/no-such-thing")
        assert response.status_code == 404
        assert response.json()["error"] == {
            "code": "not_found",
            "message": "接口不存在",
            "field": None,
        }


def test_browser_accept_header_still_gets_json(client_for):
    client, _ = client_for("420102")
    response = client.get("/api/v1/households", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (exceptions.Throttled(wait=30), 429, "throttled"),
        (exceptions.MethodNotAllowed("DELETE"), 405, "method_not_allowed"),
        (exceptions.UnsupportedMediaType("text/plain"), 415, "unsupported_media_type"),
        (exceptions.ParseError(), 400, "parse_error"),
    ],
)
def test_handler_statuses(exc, status, code):
    response = exception_handler(exc, {})
    assert response.status_code == status
    assert response.data["error"]["code"] == code
    assert response.data["error"]["field"] is None
    if status == 429:
        assert response["Retry-After"] == "30"


def test_handler_leaves_server_errors_to_django():
    assert exception_handler(RuntimeError("boom"), {}) is None


def test_session_writes_need_the_csrf_token(make_user):
    from rest_framework.test import APIClient

    from archive.models import Household

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_user("420102"))
    response = client.post(
        "/api/v1/households",
        {"head_id_number": "11010519491231002X", "head_name": "某"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Household.objects.exists()


def test_views_outside_the_api_keep_drf_format(rf):
    from rest_framework.request import Request

    request = Request(rf.get("/admin/api/main/pages/"))
    response = exception_handler(exceptions.NotFound(), {"request": request, "view": None})
    assert response.status_code == 404
    assert "error" not in response.data
