"""Fixtures of the population tests: the dossier engine's test world (its personas)."""

from __future__ import annotations

import pytest

from motcua.dossiers.tests.factories import World, world_build


@pytest.fixture
def world(db: None) -> World:
    return world_build()
