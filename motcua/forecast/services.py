"""Writes of the lateness forecast — tính dự báo nguy cơ trễ hạn (periodic job, ``forecast-compute``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from motcua.forecast.inputs import (
    DossierFacts,
    case_build,
    day_hours,
    handler_stats,
    history_index,
    open_facts,
    process_step_counts,
    queue_loads,
)
from motcua.forecast.model import Forecast, HistoryIndex, forecast
from motcua.forecast.models import LatenessForecast
from motcua.worktime import selectors as worktime

_BATCH = 1000


@dataclass(frozen=True, slots=True)
class ComputeResult:
    forecasts: int
    removed: int
    at: datetime


def forecasts_make(
    facts: list[DossierFacts], *, at: datetime, history: HistoryIndex | None = None, queues: bool = True
) -> list[tuple[DossierFacts, Forecast]]:
    """The model's answer for each of ``facts`` at ``at`` (no write): the job's and the calibration's core.

    ``queues=False`` leaves the queue term out (the calibration measures what it adds)."""
    counts = process_step_counts()
    if history is None:
        history = history_index(at=at, step_counts=counts)
    loads = queue_loads(facts, stats=handler_stats(at=at)) if queues else {}
    hours = day_hours()
    result = []
    for f in facts:
        case = case_build(f, at=at, step_counts=counts)
        if case is None:
            continue
        result.append((f, forecast(case, history=history, load=loads.get(f.dossier_id), day_hours=hours)))
    return result


def forecasts_compute(*, now: datetime | None = None) -> ComputeResult:
    """Recompute the forecast of every open dossier and replace the table's rows in one transaction.

    Idempotent: run twice at the same instant it writes the same rows; a dossier that left the
    forecast states (closed, result ready) loses its row.
    """
    now = now or timezone.now()
    made = forecasts_make(open_facts(at=now), at=now)
    rows = [
        LatenessForecast(
            dossier_id=f.dossier_id,
            unit_id=f.current_unit_id,
            probability=fc.probability,
            expected_finish_at=(
                None
                if fc.expected_remaining_h is None
                else worktime.add_working_duration(
                    start=now, duration=timedelta(hours=fc.expected_remaining_h)
                )
            ),
            reason=fc.reason[:300],
            factors=fc.factors,
            computed_at=now,
        )
        for f, fc in made
    ]
    with transaction.atomic():
        # Rows of dossiers no longer forecast, then the rest overwritten in place (no gap for readers).
        removed = _stale_delete(keep={r.dossier_id for r in rows})
        for start in range(0, len(rows), _BATCH):
            LatenessForecast.objects.bulk_create(
                rows[start : start + _BATCH],
                update_conflicts=True,
                unique_fields=["dossier"],
                update_fields=[
                    "unit",
                    "probability",
                    "expected_finish_at",
                    "reason",
                    "factors",
                    "computed_at",
                ],
            )
    return ComputeResult(forecasts=len(rows), removed=removed, at=now)


def _stale_delete(*, keep: set[int]) -> int:
    """Delete the rows of dossiers not in ``keep`` (compared here: a ``NOT IN`` of every open dossier's id
    would be one huge statement)."""
    stale = [pk for pk in LatenessForecast.objects.values_list("dossier_id", flat=True) if pk not in keep]
    removed = 0
    for start in range(0, len(stale), _BATCH):
        count, _ = LatenessForecast.objects.filter(dossier_id__in=stale[start : start + _BATCH]).delete()
        removed += count
    return removed
