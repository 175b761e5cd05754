"""Dossier status through the public tracking rules: public view without, details with the verifier."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at, world_build

API = "/api/v1/assistant"


@pytest.fixture
def supplement(db):
    world: World = world_build()
    with time_machine.travel(MONDAY_0900, tick=False):
        return dossier_at(world, "supplement")


def _ask(client: Client, message: str, cid: str | None = None) -> dict:
    response = client.post(API, {"message": message, "conversation_id": cid}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_code_gives_public_status_then_verifier_unlocks_details(client: Client, supplement) -> None:
    first = _ask(client, f"hồ sơ {supplement.code.lower()} đến đâu rồi?")
    assert first["intent"] == "track_dossier"
    assert supplement.code in first["reply"]
    assert "Yêu cầu bổ sung" in first["reply"]
    assert "4 số cuối" in first["reply"]  # asks for the verifier
    assert "Người nộp" not in first["reply"]  # nothing personal yet
    verified = _ask(client, "5678", first["conversation_id"])  # last 4 digits of the applicant's phone
    assert "Người nộp:" in verified["reply"]
    assert "Giấy tờ cần bổ sung" in verified["reply"]


def test_wrong_verifier_shows_nothing_personal(client: Client, supplement) -> None:
    reply = _ask(client, f"{supplement.code} 0000")
    assert "Người nộp" not in reply["reply"]
    assert "không đúng" in reply["reply"]


def test_unknown_code(client: Client, db) -> None:
    reply = _ask(client, "000.22.07.H49-260101-9999")
    assert reply["intent"] == "track_dossier"
    assert "Không tìm thấy hồ sơ" in reply["reply"]


def test_tracking_words_without_code_ask_for_it(client: Client, db) -> None:
    reply = _ask(client, "tra cứu hồ sơ")
    assert reply["intent"] == "track_dossier"
    assert "mã hồ sơ" in reply["reply"]
