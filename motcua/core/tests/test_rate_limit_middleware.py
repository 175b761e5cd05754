"""The edge rate limits (``core.middleware.RateLimitMiddleware``): the API and file uploads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    settings.MOTCUA_RATE_LIMITS = {
        "API_PER_IP": (3, 60),
        "API_PER_CLIENT": (2, 60),
        "UPLOADS_PER_IP": (2, 600),
        "UPLOADS_PER_CLIENT": (1, 600),
    }


def test_api_per_ip_limit_answers_in_the_api_error_shape(client, tight):
    codes = [client.get("/api/v1/procedures", REMOTE_ADDR="192.0.2.7").status_code for _ in range(3)]
    assert 429 not in codes
    response = client.get("/api/v1/procedures", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert "giây" in response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 60
    # Another address has its own counter.
    assert client.get("/api/v1/procedures", REMOTE_ADDR="192.0.2.8").status_code != 429


def test_api_per_client_limit_follows_the_token_across_addresses(client, tight):
    auth = {"HTTP_AUTHORIZATION": "Bearer mct_0123456789ab_whatever"}
    assert client.get("/api/v1/dossiers", REMOTE_ADDR="192.0.2.1", **auth).status_code == 401
    assert client.get("/api/v1/dossiers", REMOTE_ADDR="192.0.2.2", **auth).status_code == 401
    assert client.get("/api/v1/dossiers", REMOTE_ADDR="192.0.2.3", **auth).status_code == 429
    # The same addresses without that token are not limited by it.
    assert client.get("/api/v1/procedures", REMOTE_ADDR="192.0.2.3").status_code == 200


def test_uploads_are_limited_anywhere_and_pages_answer_a_vietnamese_page(client, tight):
    def upload():
        return client.post(
            "/xac-thuc", {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")}, REMOTE_ADDR="192.0.2.9"
        )

    assert upload().status_code != 429
    assert upload().status_code != 429
    refused = upload()
    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu" in refused.content.decode()
    assert refused["Retry-After"]


def test_a_limit_of_zero_is_off(client, settings):
    settings.MOTCUA_RATE_LIMITS = {"API_PER_IP": (0, 60), "API_PER_CLIENT": (0, 60)}
    assert all(client.get("/api/v1/procedures").status_code == 200 for _ in range(5))
