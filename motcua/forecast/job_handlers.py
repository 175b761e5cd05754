"""Jobs of the lateness forecast: recompute every open dossier's forecast every 15 minutes."""

from __future__ import annotations

from datetime import timedelta

from motcua.forecast.services import forecasts_compute
from motcua.jobs.periodic import periodic
from motcua.jobs.registry import JobContext

FORECAST_JOB = "forecast.compute"


@periodic(FORECAST_JOB, every=timedelta(minutes=15))
def forecast_compute(ctx: JobContext) -> None:
    """Rewrite ``LatenessForecast`` (one transaction, with the job's completion)."""
    forecasts_compute()
