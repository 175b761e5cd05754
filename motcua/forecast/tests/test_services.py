"""The periodic computation on dossiers driven through the engine's services."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from motcua.dossiers.tests.factories import World, dossier_at, vn
from motcua.forecast.job_handlers import FORECAST_JOB
from motcua.forecast.models import LatenessForecast
from motcua.forecast.services import forecasts_compute
from motcua.jobs.periodic import periodic_schedules
from motcua.jobs.registry import JobContext, get_handler

pytestmark = pytest.mark.django_db


def _rows() -> list[tuple[Any, ...]]:
    return list(
        LatenessForecast.objects.order_by("dossier_id").values_list(
            "dossier_id", "unit_id", "probability", "expected_finish_at", "reason", "factors", "computed_at"
        )
    )


def test_the_risk_grows_as_the_due_time_nears(world: World, monday: Any) -> None:
    # No history yet: the prior compares the steps ahead (4 of 5) with the time left.
    d = dossier_at(world, "appraisal")  # Monday 09:00, due Thursday 09:00: 3 working days ahead
    forecasts_compute()
    fresh = LatenessForecast.objects.get(dossier=d)
    assert fresh.probability < 0.5
    assert fresh.unit_id == world.commune_a.pk
    assert fresh.reason.startswith("còn 3 ngày làm việc")
    monday.move_to(vn(2026, 3, 4, 16))  # Wednesday 16:00: two working hours left
    forecasts_compute()
    late = LatenessForecast.objects.get(dossier=d)
    assert late.probability > 0.95
    assert late.computed_at > fresh.computed_at


def test_overdue_is_one(world: World, monday: Any) -> None:
    d = dossier_at(world, "appraisal")
    monday.move_to(vn(2026, 3, 9, 9))  # a week later: past the due time
    forecasts_compute()
    fc = LatenessForecast.objects.get(dossier=d)
    assert fc.probability == 1.0
    assert fc.reason.startswith("đã quá hạn")


def test_a_paused_dossier_keeps_its_forecast_while_the_clock_is_stopped(world: World, monday: Any) -> None:
    d = dossier_at(world, "supplement")
    forecasts_compute()
    before = LatenessForecast.objects.get(dossier=d)
    monday.move_to(vn(2026, 3, 20, 10))  # two weeks on: a running dossier would be long overdue
    forecasts_compute()
    after = LatenessForecast.objects.get(dossier=d)
    assert after.probability == before.probability < 1.0
    assert after.expected_finish_at is None
    assert "tạm dừng" in after.reason


def test_the_job_is_idempotent_and_drops_dossiers_that_left(world: World) -> None:
    kept = dossier_at(world, "appraisal")
    gone = dossier_at(world, "approval")
    handler = get_handler(FORECAST_JOB)
    handler.func(JobContext(job_id=1, name=FORECAST_JOB, payload={}, idempotency_key="k", attempt=1))
    first = _rows()
    assert {row[0] for row in first} == {kept.pk, gone.pk}
    forecasts_compute()
    assert _rows() == first
    dossier_at(world, "returned")  # closed dossiers get no row
    gone.is_open = False
    gone.save(update_fields=["is_open"])
    with time_machine.travel(vn(2026, 3, 2, 9, 30), tick=False):
        result = forecasts_compute()
    assert result.removed == 1
    assert {row[0] for row in _rows()} == {kept.pk}


def test_the_job_runs_every_quarter_hour() -> None:
    schedule = next(s for s in periodic_schedules() if s.name == FORECAST_JOB)
    assert schedule.every is not None
    assert schedule.every.total_seconds() == 900
