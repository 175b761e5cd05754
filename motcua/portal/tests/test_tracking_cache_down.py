"""Public tracking with ``REDIS_URL`` set and Redis down: the page and the API still answer.

A real Redis client pointed at a closed port (nothing listens on port 1): the counters fail, the rate
limit is skipped with a warning, the lookup goes on.
"""

from __future__ import annotations

import logging

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client, override_settings

from motcua.core import cache as core_cache
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at

DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def redis_down():
    core_cache._last_warning.clear()
    with override_settings(CACHES=DOWN):
        yield
    caches.close_all()


@pytest.fixture
def supplement(world: World):
    with time_machine.travel(MONDAY_0900, tick=False):
        return dossier_at(world, "supplement")


def test_tracking_page_works_with_the_cache_down(client: Client, supplement, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="motcua.cache"):
        response = client.get(f"/tra-cuu/{supplement.code}")
        again = client.post(f"/tra-cuu/{supplement.code}", {"so_cuoi": "0000"})  # a wrong verifier
    assert response.status_code == 200
    assert supplement.code in response.content.decode()
    assert again.status_code == 200
    warnings = [r.getMessage() for r in caplog.records if r.name == "motcua.cache"]
    tracking = [w for w in warnings if "tracking rate limit" in w]
    assert len(tracking) == 1  # once in a while, not once per counter
    # The form post (multipart from the test client) also met the upload limit's counter, warned once.
    assert len(warnings) <= 2, warnings


def test_tracking_api_works_with_the_cache_down(client: Client, supplement, redis_down):
    response = client.get(f"/api/v1/public/dossiers/{supplement.code}")
    assert response.status_code == 200
    assert response.json()["code"] == supplement.code
    missing = client.get("/api/v1/public/dossiers/000.22.07.H49-251122-9999")
    assert missing.status_code == 404


def test_limit_fails_open_not_closed(client: Client, supplement, redis_down, settings):
    settings.MOTCUA_TRACKING_RATE_LIMITS = {"LOOKUPS": (1, 60)}
    statuses = {client.get(f"/api/v1/public/dossiers/{supplement.code}").status_code for _ in range(3)}
    assert statuses == {200}
