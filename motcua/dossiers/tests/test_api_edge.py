"""The API at the edge (``core.middleware``): bodies over the limits are a 413 and control characters a
400, both in the error shape (``core.api_errors.ErrorOut``), and nothing is created.

Run them on PostgreSQL too (``DATABASE_URL=postgres://…``): it refuses NUL in text, so a control
character reaching a query was a 500 there (SQLite stores it, and answered 404 or 400).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World
from motcua.identity.services import api_token_create

URL = "/api/v1/dossiers"
ERROR_KEYS = {"detail", "code", "errors", "current_version"}


def _body(world: World, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "procedure": world.procedure.code,
        "receiving_unit": world.centre_a.agency_code,
        "applicant": {"kind": "person", "name": "Nguyễn Văn An", "id_number": "022090001234"},
        "summary": "Xin cấp giấy phép",
        "components": [{"document_order": 1, "paper_presented": True}],
    }
    body.update(overrides)
    return body


def _token_client(world: World) -> tuple[Client, dict[str, str]]:
    # A citizen submits for themselves (the accounts allowed to submit: rules.submit_error).
    _row, token = api_token_create(user=world.an, name="Ứng dụng của công dân")
    return Client(), {"Authorization": f"Bearer {token}", "Idempotency-Key": "edge-1"}


def _session_client(world: World) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.an)
    return client


def _assert_too_large(response: Any) -> None:
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "too_large"
    assert body["detail"].startswith("Nội dung gửi lên quá lớn (tối đa 2,5 MB")
    assert body["errors"] == {}


@pytest.mark.django_db
def test_a_3_mb_submission_is_413_in_the_error_shape_and_creates_nothing(world: World) -> None:
    client, headers = _token_client(world)
    big = json.dumps(_body(world, summary="x" * 3_000_000))
    _assert_too_large(client.post(URL, big, content_type="application/json", headers=headers))
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_a_form_body_over_the_limit_is_413_on_the_api_too(world: World) -> None:
    """Read by the CSRF check of a session (inside Ninja's auth) or not read at all: 413 all the same."""
    client = _session_client(world)
    _assert_too_large(
        client.post(URL, "a=" + "x" * 3_000_000, content_type="application/x-www-form-urlencoded")
    )
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_too_many_fields_is_413_on_the_api(world: World, settings: Any) -> None:
    """Parsed by the CSRF check of a session, inside Ninja's authentication."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = _session_client(world)
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    response = client.post(URL, {f"f{i}": "x" for i in range(20)}, headers={"X-CSRFToken": "a" * 32})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_unknown_api_route_with_a_big_body_is_413_not_an_html_page(client: Client) -> None:
    response = client.post("/api/v1/khong-co", "x" * 3_000_000, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


# -- control characters ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "errors"),
    [
        ("/api/v1/procedures/x%00", {}),
        ("/api/v1/procedures/1.004194%1f", {}),
        ("/api/v1/units/a%00", {}),
        ("/api/v1/dossiers/abc%00", {}),
        ("/api/v1/dossiers?unit=a%00", {"unit": "Không được chứa ký tự điều khiển (ví dụ ký tự NUL)."}),
        (
            "/api/v1/dossiers?state=1&unit%00=a",
            {"unit": "Không được chứa ký tự điều khiển (ví dụ ký tự NUL)."},
        ),
        ("/api/v1/procedures?q=kh%0Aai", {"q": "Không được chứa ký tự điều khiển (ví dụ ký tự NUL)."}),
        ("/api/v1/public/dossiers/abc%00", {}),
    ],
)
def test_control_characters_in_path_or_query_are_400_in_the_error_shape(
    world: World, path: str, errors: dict[str, str]
) -> None:
    client, headers = _token_client(world)
    response = client.get(path, headers=headers)
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "invalid"
    assert body["detail"] == "Địa chỉ (URL) chứa ký tự điều khiển không hợp lệ."
    assert body["errors"] == errors


@pytest.mark.django_db
def test_nul_in_a_json_string_is_a_field_error_and_creates_nothing(world: World) -> None:
    client, headers = _token_client(world)
    body = _body(
        world,
        applicant={"kind": "person", "name": "Nguyễn\u0000 Văn An", "id_number": "022090001234"},
        summary="a\u0007b",
    )
    response = client.post(URL, json.dumps(body), content_type="application/json", headers=headers)
    assert response.status_code == 400, response.content[:500]
    assert response.json() == {
        "detail": "Nội dung gửi lên chứa ký tự điều khiển không hợp lệ.",
        "code": "invalid",
        "errors": {
            "applicant.name": "Không được chứa ký tự điều khiển (ví dụ ký tự NUL).",
            "summary": "Không được chứa ký tự điều khiển (ví dụ ký tự NUL).",
        },
        "current_version": None,
    }
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_nul_in_an_action_body_is_refused_before_the_engine(world: World) -> None:
    client, headers = _token_client(world)
    response = client.post(
        f"{URL}/abc/actions/forward",
        '{"row_version": 1, "note": "a\\u0000"}',
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"note": "Không được chứa ký tự điều khiển (ví dụ ký tự NUL)."}


@pytest.mark.django_db
def test_tab_and_new_lines_in_text_fields_are_legitimate(world: World) -> None:
    client, headers = _token_client(world)
    body = json.dumps(_body(world, summary="Dòng 1\r\nDòng 2\tcột"))
    assert "\\u0000" not in body
    response = client.post(URL, body, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content[:500]  # accepted (the engine tidies spaces)


@pytest.mark.django_db
def test_an_escaped_backslash_before_u0000_is_text_not_a_control(world: World) -> None:
    client, headers = _token_client(world)
    body = json.dumps(_body(world, summary="C:\\u0000"))  # the six characters \u0000 after C:
    response = client.post(URL, body, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content[:500]
    assert Dossier.objects.get().summary == "C:\\u0000"
