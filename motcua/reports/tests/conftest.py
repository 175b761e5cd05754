"""Fixtures of the reports tests: the dossier engine's test world, and running the reports' jobs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from motcua.dossiers.tests.factories import MONDAY_0900, World, world_build
from motcua.jobs.delivery import jobs_run_due
from motcua.jobs.models import Job, JobStatus
from motcua.reports.subscribers import AGGREGATES


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MONDAY_0900, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: None, clock: Any) -> World:
    return world_build()


def aggregate_jobs_run(*, reverse: bool = False) -> int:
    """Run the pending jobs of the reports' subscriber (only them: the others call stand-ins), in
    enqueue order or reversed; how many ran."""
    ids = list(
        Job.objects.filter(name=AGGREGATES, status=JobStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if reverse:
        ids.reverse()
    for pk in ids:
        assert jobs_run_due(job_ids=[pk]) == ["done"]
    return len(ids)
