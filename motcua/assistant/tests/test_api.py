"""POST /api/v1/assistant and DELETE /api/v1/assistant/{id}: shape, errors, rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from motcua.assistant.models import Conversation

API = "/api/v1/assistant"
pytestmark = pytest.mark.django_db


def _post(client: Client, body: object, *, ip: str = "127.0.0.1") -> Any:
    return client.post(API, body, content_type="application/json", REMOTE_ADDR=ip)


def test_answer_shape_and_follow_up(client: Client, catalogue) -> None:
    response = _post(client, {"message": "đăng ký khai sinh"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"conversation_id", "reply", "intent", "procedures", "choices", "followups", "links"}
    top = body["procedures"][0]
    assert top["code"] == "1.001193"
    assert top["name"] == "Thủ tục đăng ký khai sinh"
    assert 0 <= top["confidence"] <= 1
    assert top["url"] == "/thu-tuc/1.001193/"
    assert "Phí bao nhiêu?" in body["followups"]
    assert {"label": "Nộp hồ sơ trực tuyến", "url": "/nop-truc-tuyen/1.001193", "kind": "submit"} in body[
        "links"
    ]
    follow = _post(client, {"message": "phi bao nhieu", "conversation_id": body["conversation_id"]}).json()
    assert follow["conversation_id"] == body["conversation_id"]
    assert follow["intent"] == "ask_fees"
    assert "8.000 đồng" in follow["reply"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"message": ""}, "Vui lòng nhập câu hỏi"),
        ({"message": "   "}, "Vui lòng nhập câu hỏi"),
        ({"message": "a" * 1001}, "1000 ký tự"),
        ({}, ""),
        ({"message": 12}, ""),
    ],
)
def test_bad_input_is_400_in_vietnamese(client: Client, body: object, needle: str) -> None:
    response = _post(client, body)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert needle in error["detail"]
    assert not Conversation.objects.exists()


def test_malformed_json_is_400(client: Client) -> None:
    response = client.post(API, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_unknown_or_expired_conversation_starts_a_new_one(client: Client, catalogue) -> None:
    body = _post(client, {"message": "phí bao nhiêu", "conversation_id": "no-such-id"}).json()
    assert body["conversation_id"] != "no-such-id"
    assert body["intent"] == "out_of_scope"  # no procedure in context: nothing is guessed


def test_delete(client: Client, catalogue) -> None:
    cid = _post(client, {"message": "đăng ký khai sinh"}).json()["conversation_id"]
    assert client.delete(f"{API}/{cid}").status_code == 204
    assert not Conversation.objects.filter(pk=cid).exists()
    missing = client.delete(f"{API}/{cid}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert client.delete(f"{API}/{'x' * 300}").status_code == 404


def test_rate_limited_per_client(client: Client, catalogue, settings) -> None:
    settings.MOTCUA_ASSISTANT_RATE_LIMIT = (3, 60)
    for _ in range(3):
        assert _post(client, {"message": "xin chào"}, ip="10.0.0.1").status_code == 200
    limited = _post(client, {"message": "xin chào"}, ip="10.0.0.1")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) > 0
    assert _post(client, {"message": "xin chào"}, ip="10.0.0.2").status_code == 200


def test_rate_limited_per_token_across_addresses(client: Client, catalogue, settings) -> None:
    """An integrator's token counts on its own: rotating addresses does not lift its limit, and other
    clients behind the same addresses are not refused for it."""
    settings.MOTCUA_ASSISTANT_RATE_LIMIT = (3, 60)
    token = "Bearer mct_0123456789ab_assistant"
    for n in range(3):
        assert (
            client.post(
                API,
                {"message": "xin chào"},
                content_type="application/json",
                REMOTE_ADDR=f"10.1.0.{n}",
                HTTP_AUTHORIZATION=token,
            ).status_code
            == 200
        )
    limited = client.post(
        API,
        {"message": "xin chào"},
        content_type="application/json",
        REMOTE_ADDR="10.1.0.9",
        HTTP_AUTHORIZATION=token,
    )
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert _post(client, {"message": "xin chào"}, ip="10.1.0.9").status_code == 200
