"""The baseline job of bench/jobs_bench.py: a handler that does nothing (imported with ``--import``)."""

from __future__ import annotations

from motcua.jobs.services import JobContext, job_handler

NOOP = "bench.noop"


@job_handler(NOOP, atomic=False)
def noop(ctx: JobContext) -> None:
    """Nothing: what is measured is the worker's own cost per job (claim, bookkeeping, completion)."""
