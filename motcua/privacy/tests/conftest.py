"""Fixtures of the personal-data tests: the dossier engine's test world, frozen on a working Monday."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from motcua.dossiers.tests.factories import MONDAY_0900, World, world_build


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def monday() -> Iterator[Any]:
    with time_machine.travel(MONDAY_0900, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: None, monday: Any) -> World:
    return world_build()
