"""One format for every instant the API writes (``core.api_time``): ISO 8601, +07:00, whole seconds.

The officials' dossier API, the public tracking API and the calendar API are read at an instant with
a fraction of a second (the officials' API wrote UTC with milliseconds, ``…Z``, the other two local
time with microseconds); every instant in their answers must have the one documented shape.
"""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.test import Client

from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_receive_at_counter
from motcua.dossiers.tests.test_api import _post

API_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")
LOOKS_LIKE_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT")
NOW = MONDAY_0900 + timedelta(microseconds=123_456)


def _instants(node: object) -> list[str]:
    """Every string of a JSON answer that is an instant (a date followed by a time)."""
    if isinstance(node, dict):
        return [text for value in node.values() for text in _instants(value)]
    if isinstance(node, list):
        return [text for value in node for text in _instants(value)]
    return [node] if isinstance(node, str) and LOOKS_LIKE_INSTANT.match(node) else []


def _assert_api_instants(body: object, *, at_least: int) -> None:
    instants = _instants(body)
    assert len(instants) >= at_least, body
    assert [t for t in instants if not API_INSTANT.match(t)] == []


def test_dossier_and_public_tracking_instants(world: World):
    with time_machine.travel(NOW, tick=False):
        submitted = _post(_login(world), world)
        received = dossier_receive_at_counter(world)
    assert submitted.status_code == 201, submitted.content
    _assert_api_instants(submitted.json(), at_least=1)  # submitted_at

    official = _login(world, who="lan")
    detail = official.get(f"/api/v1/dossiers/{received.code}")
    assert detail.status_code == 200, detail.content
    _assert_api_instants(detail.json(), at_least=4)  # submitted, received, due, step started/due
    assert detail.json()["received_at"] == "2026-03-02T09:00:00+07:00"

    listed = official.get("/api/v1/dossiers")
    assert listed.status_code == 200, listed.content
    _assert_api_instants(listed.json(), at_least=2)

    public = Client().get(f"/api/v1/public/dossiers/{received.code}")
    assert public.status_code == 200, public.content
    _assert_api_instants(public.json(), at_least=4)


def test_calendar_instants(db: None):
    response = Client().get(
        "/api/v1/calendar/due",
        {"start": "2026-04-10T10:00:00.654321+07:00", "amount": "3", "unit": "working_days"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    _assert_api_instants(body, at_least=4)  # due, counting_start, explanation bounds
    assert body["due"].startswith("2026-04-1")


def _login(world: World, *, who: str = "an") -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client
