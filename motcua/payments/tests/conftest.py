"""Fixtures of the payments tests: the dossier engine's test world (named personas)."""

from __future__ import annotations

import pytest

from motcua.dossiers.tests.factories import World, world_build


@pytest.fixture
def world(db: None) -> World:
    return world_build()
