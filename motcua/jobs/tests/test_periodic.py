"""Periodic jobs: one job per period, whichever worker looks first, across restarts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from motcua.jobs import periodic as periodic_module
from motcua.jobs.models import Job
from motcua.jobs.periodic import (
    Schedule,
    periodic,
    periodic_enqueue_due,
    periodic_next_due,
    periodic_seen_clear,
)
from motcua.jobs.registry import JobContext, job_handler

TICK = "jobs.tests_quarter_hour"


@job_handler(TICK)
def _tick(ctx: JobContext) -> None:
    return None


@pytest.fixture
def only_tick(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(
        periodic_module, "_schedules", {TICK: Schedule(name=TICK, at=None, every=timedelta(minutes=15))}
    )
    periodic_seen_clear()
    yield
    periodic_seen_clear()


@pytest.mark.django_db
def test_one_job_per_period_even_when_two_workers_look(only_tick: None) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 2, 7, tzinfo=UTC), tick=False):
        assert periodic_enqueue_due() == [f"periodic:{TICK}:20260302T020000Z"]
        periodic_seen_clear()  # a second worker process, or this one restarted
        assert periodic_enqueue_due() == []
    with time_machine.travel(datetime(2026, 3, 2, 2, 16, tzinfo=UTC), tick=False):
        assert periodic_enqueue_due() == [f"periodic:{TICK}:20260302T021500Z"]
    assert list(Job.objects.filter(name=TICK).values_list("payload", flat=True)) == [
        {"period": "20260302T021500Z"},
        {"period": "20260302T020000Z"},
    ]


def test_daily_schedule_in_local_time() -> None:
    daily = Schedule(name="x", at=time(7, 0), every=None)
    # 23:30 UTC on 1 March is 06:30 on 2 March in Vietnam: today's run is not due yet.
    key, due = daily.period(datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    assert key == "2026-03-02"
    assert due == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert daily.next_due(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)) == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)


def test_the_idle_worker_wakes_for_the_next_period(only_tick: None) -> None:
    now = datetime(2026, 3, 2, 2, 7, tzinfo=UTC)
    assert periodic_next_due(now=now) == datetime(2026, 3, 2, 2, 15, tzinfo=UTC)


def test_a_schedule_needs_exactly_one_of_at_and_every() -> None:
    with pytest.raises(ImproperlyConfigured):
        periodic("jobs.tests_bad", at=time(7), every=timedelta(hours=1))
    with pytest.raises(ImproperlyConfigured):
        periodic("jobs.tests_bad", every=timedelta(seconds=5))


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_a_period_enqueue_one_job(
    only_tick: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real threads, each with its own connection, committing for real (the unique key decides)."""
    from motcua.dossiers.tests.test_services_concurrency import run_parallel

    class SeparateProcesses(dict[str, str]):
        """Threads share this process's memory of enqueued periods; worker processes do not."""

        def __setitem__(self, key: str, value: str) -> None:
            return None

    monkeypatch.setattr(periodic_module, "_seen", SeparateProcesses())

    at = datetime(2026, 3, 2, 2, 7, tzinfo=UTC)

    def worker_looks() -> list[str]:
        return periodic_enqueue_due(now=at)

    results = run_parallel([worker_looks for _ in range(4)])
    assert [kind for kind, _ in results] == ["ok"] * 4, results
    assert sum(len(created) for _, created in results) == 1
    assert Job.objects.filter(name=TICK).count() == 1
