"""``POST /api/v1/id-card-qr``: the card's fields, 422 with the parser's message; officials, services."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts.tests.factories import AccountFactory
from motcua.identity.services import api_token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/id-card-qr"
CARD = "022190004567|100200300|Phạm Thị Hương|17051990|Nữ|Tổ 5, khu 3, phường Hồng Gai|10052021\r\n"


def _client(**traits: bool) -> Client:
    _row, token = api_token_create(user=AccountFactory.create(**traits))
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_a_service_account_gets_the_fields():
    response = _client(service=True).post(URL, {"text": CARD}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id_number": "022190004567",
        "old_id_number": "100200300",
        "full_name": "Phạm Thị Hương",
        "date_of_birth": "1990-05-17",
        "gender": "Nữ",
        "permanent_address": "Tổ 5, khu 3, phường Hồng Gai",
        "issued_on": "2021-05-10",
    }


def test_an_official_in_a_browser_session_may_call_it_with_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(AccountFactory.create())
    refused = client.post(URL, {"text": CARD}, content_type="application/json")
    assert refused.status_code == 403  # a cookie alone is no proof the page sent it
    client.get("/can-bo/")  # any page: sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        URL, {"text": CARD}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200, response.content
    assert response.json()["full_name"] == "Phạm Thị Hương"


def test_a_malformed_code_is_422_naming_the_field():
    response = _client(service=True).post(
        URL, {"text": CARD.replace("17051990", "31021990")}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"].startswith("Ngày sinh trên mã QR không hợp lệ: 31021990")
    assert body["errors"] == {"text": body["detail"]}


def test_citizens_may_not_and_anonymous_callers_are_401():
    refused = _client(citizen=True).post(URL, {"text": CARD}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert Client().post(URL, {"text": CARD}, content_type="application/json").status_code == 401
