"""Is work getting done? — the queue's health: the oldest due job, and the sweeper that looks at it.

A job is never stranded by the claim loop itself: a failure is retried then dead-lettered with its
reason, a killed worker's job is taken over after its lease, a payload that cannot be read is dead at
once (``delivery.jobs_claim``). What can still strand work is that no worker takes jobs at all
(stopped, crash-looping, cut off from the database, or a web and a worker of different versions).
That shows as due jobs that nobody claims, so the figure watched is **how long the oldest due job has
waited** (a pending job past its ``run_after``, or a running one past its lease):

* ``GET /healthz/jobs`` (``views.jobs_health``) answers it in JSON for monitoring — 503 past
  ``MOTCUA_JOBS["ALERT_AFTER_SECONDS"]`` (default 10 minutes). Served by the web processes, so it
  speaks when the worker is the one that is down. Not the load balancer's ``/healthz``: a stopped
  worker must page someone, not take the web pages out of service.
* The sweeper (``jobs.sweep``, every 5 minutes in the worker) dead-letters what may no longer run — a
  pending job already at its last attempt (an admin's "run again" of a job whose attempts were
  lowered) — and logs an error with the same figure when it is over the threshold, for log alerts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from motcua.jobs.conf import job_setting
from motcua.jobs.models import ACTIVE_STATUSES, Job, JobStatus
from motcua.jobs.periodic import periodic
from motcua.jobs.registry import JobContext

logger = logging.getLogger("motcua.jobs")

SWEEP_JOB = "jobs.sweep"


@dataclass(frozen=True)
class QueueHealth:
    """The figures of ``/healthz/jobs``."""

    due: int  # active jobs whose run_after (pending: not before; running: the lease) is past
    oldest_due_seconds: int  # how long the oldest of them has waited; 0 when none
    dead_last_day: int
    alert_after_seconds: int

    @property
    def stale(self) -> bool:
        return self.oldest_due_seconds > self.alert_after_seconds


def queue_health(*, now: datetime | None = None) -> QueueHealth:
    """One aggregate over the active jobs (the partial index ``jobs_job_due``) and one count of the dead."""
    now = now or timezone.now()
    active = Job.objects.filter(status__in=ACTIVE_STATUSES, run_after__lte=now).aggregate(
        due=Count("id"), oldest=Min("run_after")
    )
    oldest: datetime | None = active["oldest"]
    dead = Job.objects.filter(status=JobStatus.DEAD, finished_at__gte=now - timedelta(days=1)).count()
    return QueueHealth(
        due=active["due"],
        oldest_due_seconds=max(0, int((now - oldest).total_seconds())) if oldest else 0,
        dead_last_day=dead,
        alert_after_seconds=int(job_setting("ALERT_AFTER_SECONDS")),
    )


def jobs_sweep(*, now: datetime | None = None) -> int:
    """Dead-letter pending jobs that have no attempt left; log an error if due jobs wait too long.

    Returns how many jobs were dead-lettered.
    """
    now = now or timezone.now()
    exhausted = Job.objects.filter(Q(status=JobStatus.PENDING) & Q(attempts__gte=F("max_attempts"))).update(
        status=JobStatus.DEAD,
        finished_at=now,
        last_error="Dead-lettered by the sweeper: no attempt left (attempts ≥ max_attempts) while pending.",
    )
    if exhausted:
        logger.error("Job sweeper: %s pending job(s) without attempts left dead-lettered", exhausted)
    health = queue_health(now=now)
    if health.stale:
        logger.error(
            "Job queue stalled: %s due job(s), the oldest waiting %s s (alert after %s s)",
            health.due,
            health.oldest_due_seconds,
            health.alert_after_seconds,
        )
    return exhausted


@periodic(SWEEP_JOB, every=timedelta(minutes=5))
def sweep(ctx: JobContext) -> None:
    jobs_sweep()
