"""Fixtures of the dossier tests: a fresh test world per test (see ``factories``)."""

from __future__ import annotations

import pytest

from motcua.dossiers.tests.factories import World, world_build


@pytest.fixture
def world(db: None) -> World:
    return world_build()
