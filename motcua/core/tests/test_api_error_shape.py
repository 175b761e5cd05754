"""Every 4xx under /api/ in the error shape (``core.api_errors.ErrorOut``), with DEBUG on and off.

Unknown paths (``motcua.api.api_not_found``, routed after the API) and wrong methods (ninja's own 405,
shaped by ``core.middleware.ApiErrorShapeMiddleware``) were Django's HTML pages and an English
"Method not allowed".
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

ERROR_KEYS = {"detail", "code", "errors", "current_version"}


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request: pytest.FixtureRequest, settings: Any) -> bool:
    settings.DEBUG = request.param
    return bool(request.param)


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code
    assert body["errors"] == {}
    assert body["current_version"] is None
    assert body["detail"].isascii() is False  # Vietnamese, not the framework's English
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v2/x", "/api/", "/api/v1/procedures/1.004222/x"])
def test_unknown_api_path_is_a_404_in_the_error_shape(client: Client, debug: bool, path: str) -> None:
    body = _error(client.get(path), 404, "not_found")
    assert body["detail"] == f"Không có địa chỉ API «{path}». Danh sách các địa chỉ của API v1: /api/v1/docs."


@pytest.mark.django_db
def test_post_to_an_unknown_api_path_is_a_404_not_a_csrf_refusal(debug: bool) -> None:
    client = Client(enforce_csrf_checks=True)
    _error(client.post("/api/v1/nope", {"a": 1}, content_type="application/json"), 404, "not_found")


@pytest.mark.django_db
def test_trailing_slash_on_a_real_api_path_says_so(client: Client, debug: bool) -> None:
    body = _error(client.get("/api/v1/procedures/"), 404, "not_found")
    assert "không kết thúc bằng dấu «/»" in body["detail"]


@pytest.mark.django_db
def test_wrong_method_on_an_api_route_is_a_405_in_the_error_shape(client: Client, debug: bool) -> None:
    response = client.delete("/api/v1/procedures/1.004222")
    body = _error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
    assert body["detail"] == "Địa chỉ này không hỗ trợ phương thức DELETE; chỉ chấp nhận: GET."


@pytest.mark.django_db
def test_405_names_every_method_of_the_path(client: Client, debug: bool) -> None:
    response = client.put("/api/v1/dossiers", {}, content_type="application/json")
    body = _error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, POST"
    assert body["detail"].endswith("chỉ chấp nhận: GET, POST.")


@pytest.mark.django_db
def test_wrong_method_on_the_plain_django_due_route_is_a_405_too(debug: bool) -> None:
    # /api/v1/calendar/due bypasses Ninja's dispatch (motcua.urls): same shape, and no CSRF page.
    response = Client(enforce_csrf_checks=True).post("/api/v1/calendar/due")
    body = _error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
    assert "POST" in body["detail"]


@pytest.mark.django_db
def test_pages_outside_the_api_keep_their_html_404(client: Client) -> None:
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
