"""Deliveries through django-q2, and the attempt runner its workers call.

django-q2's ORM broker gives us the two hard parts: its queue row (``OrmQ``) is inserted through the
ORM, so inside the caller's transaction; and a delivery that is never acknowledged — the worker was
killed — is leased again after ``Q_CLUSTER["retry"]`` seconds and run by whichever worker is alive.

What it lacks, and this module adds (the smallest piece on top, see README.md):

* **Delayed deliveries.** ``async_task`` always makes a row visible at once; ``_CollectingORM`` writes
  the first lease (``OrmQ.lock``) as the job's ``run_after`` instead. The broker only dequeues rows
  whose lock is in the past, so that is exactly "not before run_after".
* **Exponential backoff.** django-q2 re-delivers a failed task after the same fixed ``retry`` lease.
  Instead the runner catches the handler's failure, records it, and enqueues a *new* delivery with a
  growing delay; the failed delivery itself is acknowledged normally.
* **Exactly-once in effect.** The ``Job`` row (status + fencing token) decides whether a delivery
  may run: a finished job is never re-applied, and a stale duplicate delivery is dropped.
"""

from __future__ import annotations

import logging
import random
import traceback
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.exceptions import TimeoutException
from django_q.models import OrmQ
from django_q.tasks import async_task

from motcua.jobs.conf import job_setting
from motcua.jobs.models import Job, JobStatus
from motcua.jobs.registry import JobContext, get_handler
from motcua.jobs.stopping import JobInterrupted, interruptible, stopping

logger = logging.getLogger("motcua.jobs")

# The worker imports the delivery function by this dotted path (django-q2 pickles the path, not
# the function), so it must stay stable across deploys while deliveries are queued.
RUN_DELIVERY = "motcua.jobs.delivery.run_delivery"
_ERROR_MAX_CHARS = 8000


class _CollectingORM(ORM):
    """django-q2's ORM broker that keeps the rows ``async_task`` enqueues, for one ``bulk_create``.

    The package itself is still built, pickled and signed by ``async_task``; only the INSERT is batched,
    and each row's first lease (``OrmQ.lock``) is ``visible_at`` — set before each ``async_task`` call
    to the job's ``run_after`` — instead of now.
    """

    def __init__(self) -> None:
        self.visible_at: datetime | None = None
        self.rows: list[OrmQ] = []
        super().__init__()

    def enqueue(self, task: str) -> int:
        self.rows.append(OrmQ(key=self.list_key, payload=task, lock=self.visible_at))
        return len(self.rows)  # position in the batch: the row id is not known before the INSERT


def new_token() -> str:
    """A fresh fencing token for the next delivery of a job."""
    return uuid.uuid4().hex


def push_delivery(job: Job) -> None:
    """Queue one delivery of ``job`` (with its current token), visible from ``job.run_after``.

    Must run in the same transaction as the write that set the token, so the two commit together.
    """
    push_deliveries([job])


def push_deliveries(jobs: Sequence[Job]) -> None:
    """``push_delivery`` for several jobs with one INSERT of their django-q2 queue rows.

    Same transaction rule as ``push_delivery``; the packages are identical to ``async_task``'s.
    """
    if not jobs:
        return
    broker = _CollectingORM()
    for job in jobs:
        broker.visible_at = job.run_after
        async_task(
            RUN_DELIVERY,
            job.pk,
            job.delivery_token,
            q_options={"task_name": f"{job.name}#{job.pk}"[:100], "group": job.name, "broker": broker},
        )
    OrmQ.objects.using(Conf.ORM).bulk_create(broker.rows)


def backoff_delay(attempt: int) -> timedelta:
    """Delay before the retry that follows failed attempt number ``attempt`` (1-based).

    BASE × 2^(attempt-1), capped, times a random factor in [1, 1 + JITTER). With JITTER < 1 each
    delay below the cap is strictly longer than the previous one.
    """
    base = float(job_setting("BACKOFF_BASE_SECONDS"))
    cap = float(job_setting("BACKOFF_MAX_SECONDS"))
    jitter = float(job_setting("BACKOFF_JITTER"))
    seconds = min(cap, base * 2 ** (attempt - 1))
    return timedelta(seconds=seconds * (1 + jitter * random.random()))


def run_delivery(job_id: int, token: str) -> str:
    """Run one delivery of job ``job_id``: the function django-q2 workers execute.

    Returns a short outcome (kept in django-q2's task result). Handler failures are recorded and
    retried here, so they return normally and django-q2 acknowledges the delivery; only a failure of
    this bookkeeping itself propagates, leaving the delivery unacknowledged for django-q2 to re-lease.
    """
    if stopping():
        # Fetched into the cluster's local queue before the stop: hand it back instead of starting it.
        return _release(job_id, token, started=False)
    job, outcome = _start_attempt(job_id, token)
    if job is None:
        return outcome
    ctx = JobContext(
        job_id=job.pk,
        name=job.name,
        payload=job.payload,
        idempotency_key=job.idempotency_key,
        attempt=job.attempts,
    )
    try:
        spec = get_handler(job.name)
        if spec.atomic:
            with transaction.atomic():
                locked = _lock_running(job_id, token)
                if locked is None:
                    return "superseded"
                with interruptible():
                    spec.func(ctx)
                _mark_done(locked)
        else:
            with interruptible():
                spec.func(ctx)
            with transaction.atomic():
                locked = _lock_running(job_id, token)
                if locked is not None:
                    _mark_done(locked)
    except JobInterrupted:
        # The worker is stopping (motcua/jobs/stopping.py): the attempt's transaction has rolled back.
        return _release(job_id, token, started=True)
    except (Exception, TimeoutException) as exc:
        # TimeoutException is django-q2's SystemExit for "task exceeded Q_CLUSTER timeout": it is an
        # attempt failure like any other, then re-raised so django-q2 replaces the worker process.
        _record_failure(job_id, token, exc)
        if isinstance(exc, TimeoutException):
            raise
        return f"failed attempt {ctx.attempt}"
    logger.info("Job %s #%s done (attempt %s)", job.name, job.pk, ctx.attempt)
    return "done"


def _start_attempt(job_id: int, token: str) -> tuple[Job | None, str]:
    """Count the attempt and mark the job running, in its own committed transaction.

    Committing before the handler runs means an attempt whose worker is killed still counts towards
    ``max_attempts`` — a job that kills its worker every time (e.g. out of memory) ends up dead
    instead of looping forever.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return None, "job deleted"
        if job.delivery_token != token:
            return None, "stale delivery"
        if job.status in (JobStatus.DONE, JobStatus.DEAD):
            # The completion record wins: e.g. the worker died after committing the handler's work
            # but before django-q2 acknowledged the delivery, which is then leased again.
            return None, f"already {job.status}"
        now = timezone.now()
        if job.status == JobStatus.RUNNING:
            # Same token, still running: the worker that had this delivery died (its lease expired).
            logger.warning(
                "Job %s #%s: attempt %s was interrupted; taking over", job.name, job.pk, job.attempts
            )
            if job.attempts >= job.max_attempts:
                job.status = JobStatus.DEAD
                job.finished_at = now
                job.last_error = f"Worker died during attempt {job.attempts} (the last allowed)."
                job.save(update_fields=["status", "finished_at", "last_error"])
                return None, "dead"
        job.attempts += 1
        job.status = JobStatus.RUNNING
        job.started_at = now
        job.save(update_fields=["attempts", "status", "started_at"])
        return job, "started"


def _lock_running(job_id: int, token: str) -> Job | None:
    """Lock the job row for this attempt, or None if another delivery has taken it over meanwhile."""
    job = Job.objects.select_for_update().get(pk=job_id)
    if job.delivery_token != token or job.status != JobStatus.RUNNING:
        return None
    return job


def _mark_done(job: Job) -> None:
    job.status = JobStatus.DONE
    job.finished_at = timezone.now()
    job.last_error = ""
    job.save(update_fields=["status", "finished_at", "last_error"])


def _release(job_id: int, token: str, *, started: bool) -> str:
    """Make the job pending again with a new delivery due now: its worker is stopping.

    The delivery in hand then returns normally and is acknowledged; the new one is run by whichever
    worker is up next. An attempt this worker ``started`` is not counted: it was stopped, it did not
    fail (a worker that is killed instead still counts it, see ``_start_attempt``).
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.delivery_token != token or job.status in (JobStatus.DONE, JobStatus.DEAD):
            return "stale delivery"
        if started and job.status == JobStatus.RUNNING:
            job.attempts -= 1
        job.status = JobStatus.PENDING
        job.run_after = timezone.now()
        job.delivery_token = new_token()
        push_delivery(job)
        job.save(update_fields=["attempts", "status", "run_after", "delivery_token"])
    logger.info("Job %s #%s released: the worker is stopping", job.name, job.pk)
    return "released"


def _record_failure(job_id: int, token: str, exc: BaseException) -> None:
    """Record a failed attempt: schedule the next one after a backoff, or mark the job dead."""
    error = "".join(traceback.format_exception(exc))[-_ERROR_MAX_CHARS:]
    with transaction.atomic():
        job = _lock_running(job_id, token)
        if job is None:
            return
        job.last_error = error
        if job.attempts >= job.max_attempts:
            job.status = JobStatus.DEAD
            job.finished_at = timezone.now()
            logger.error("Job %s #%s dead after %s attempts: %s", job.name, job.pk, job.attempts, exc)
        else:
            job.status = JobStatus.PENDING
            job.run_after = timezone.now() + backoff_delay(job.attempts)
            job.delivery_token = new_token()
            push_delivery(job)
            logger.warning(
                "Job %s #%s attempt %s failed (%s); retry at %s",
                job.name,
                job.pk,
                job.attempts,
                exc,
                job.run_after.isoformat(),
            )
        job.save(update_fields=["last_error", "status", "finished_at", "run_after", "delivery_token"])
