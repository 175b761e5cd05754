"""The job app's own periodic job (auto-imported with every app's ``job_handlers``): the sweeper."""

from __future__ import annotations

from motcua.jobs.health import sweep

__all__ = ["sweep"]
