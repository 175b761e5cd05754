"""Fixtures for the job tests: the real claim loop, run once in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from motcua.jobs import stopping
from motcua.jobs.delivery import jobs_run_due
from motcua.jobs.tests import handlers


@pytest.fixture(autouse=True)
def _reset_calls() -> Iterator[None]:
    handlers.CALLS.clear()
    stopping.reset()
    yield
    handlers.CALLS.clear()
    stopping.reset()


@pytest.fixture
def deliver_due() -> Callable[[], list[str]]:
    """Claim and run every due job now, as the worker's loop does (``delivery.jobs_run_due``)."""
    return jobs_run_due
