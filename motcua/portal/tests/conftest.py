"""Fixtures of the portal tests: the dossier engine's test world, and a clean rate-limit cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from motcua.dossiers.tests.factories import World, world_build


@pytest.fixture
def world(db: None) -> World:
    return world_build()


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()
