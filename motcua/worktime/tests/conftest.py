from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings

from motcua.worktime.calendar import WorkCalendar, WorkSchedule
from motcua.worktime.selectors import reset_calendar_cache


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # The process calendar and schedule outlive a test; start and end every test clean.
    reset_calendar_cache()
    yield
    reset_calendar_cache()


@pytest.fixture(scope="session")
def schedule() -> WorkSchedule:
    return WorkSchedule.from_settings(settings.WORKTIME)


@pytest.fixture(scope="session")
def national() -> WorkCalendar:
    """The calendar without province overrides (pure, no database)."""
    return WorkCalendar(WorkSchedule.from_settings(settings.WORKTIME))
