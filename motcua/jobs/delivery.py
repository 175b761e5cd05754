"""The job worker: claims due jobs in batches straight from the outbox table and runs them.

No second queue: the ``Job`` row is the queue. Why our own small loop and not a library (checked
for issue 9): procrastinate, chancy and django-pgpubsub are PostgreSQL-only; django-tasks-db leaves
a killed worker's task ``RUNNING`` for ever; django-background-tasks and django-db-queue poll without
LISTEN/NOTIFY and have neither our fencing nor transaction-bound completion. What we need is ~200
lines on top of the table we already write in the caller's transaction.

* **Claim** (``jobs_claim``): in one short transaction, select up to ``BATCH_SIZE`` due jobs —
  ``pending`` with ``run_after`` past, or ``running`` whose lease (``run_after`` doubles as the lease
  expiry of a running job) is past: their worker was killed — ``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL (on SQLite the IMMEDIATE transaction holds the database's write lock), then one UPDATE:
  ``running``, ``attempts + 1``, ``run_after = now + LEASE``, a fresh fencing token for the batch.
  The attempt is counted before the handler runs, so a job that kills its worker every time ends
  dead: a taken-over job already at ``max_attempts`` is marked dead instead of run.
* **Run** (``batch_run``): an atomic handler runs in one transaction with its completion
  (``UPDATE … SET status=done WHERE id=… AND delivery_token=<ours> AND status=running``; zero rows —
  another worker took the job over — rolls the handler's writes back): exactly once in effect.
  Non-atomic handlers (network calls) are at least once anyway, so their completions are written
  together, one UPDATE per batch. A failure is recorded at once: pending after a backoff, or dead.
* **Fencing**: every claim writes a new ``delivery_token``; a worker that lost its job (lease expired,
  taken over) cannot complete, fail or release it any more.
* **Lease**: a long batch renews the lease of its unstarted jobs before it could run out.
* **Stop**: the handler in hand may finish within the stop grace, else gets ``JobInterrupted``
  (``stopping.py``); it and the batch's unstarted jobs are released — pending, due now, the attempt not
  counted.
* **Waking** (``run_forever``): PostgreSQL — a statement trigger on ``jobs_job`` INSERT does
  ``pg_notify('motcua_jobs')`` inside the enqueuing transaction (delivered at its commit, folded to
  one per transaction, no extra round trip for the web request); the worker LISTENs on its own
  connection and sleeps in ``select()`` until a notification, the next ``run_after`` or a signal.
  SQLite — it looks for the next due time every ``POLL_MS``. A full batch is followed by another
  claim at once.
"""

from __future__ import annotations

import json
import logging
import os
import random
import select
import signal
import time
import traceback
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from motcua.core.logcontext import log_context_bind
from motcua.jobs import stopping
from motcua.jobs.conf import job_setting
from motcua.jobs.models import Job, JobStatus
from motcua.jobs.periodic import periodic_enqueue_due, periodic_next_due
from motcua.jobs.registry import JobContext, get_handler
from motcua.jobs.stopping import JobInterrupted, JobTimedOut, interruptible

logger = logging.getLogger("motcua.jobs")

# The LISTEN/NOTIFY channel; the trigger of migration 0002 notifies it.
WAKE_CHANNEL = "motcua_jobs"
# PostgreSQL: an idle worker still looks at the table this often, in case its LISTEN connection was
# lost without the socket telling (a safety net; notifications wake it otherwise).
IDLE_CHECK_SECONDS = 30.0
_ERROR_MAX_CHARS = 8000


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """One job of a claimed batch: what its handler needs, and the token that proves the claim."""

    id: int
    name: str
    payload: dict[str, Any]
    idempotency_key: str
    attempt: int
    max_attempts: int
    token: str
    request_id: str = ""  # of the request that enqueued it: bound while it runs (core.logcontext)


@dataclass(slots=True)
class Batch:
    """Jobs claimed together; their lease runs until ``lease_until`` (monotonic clock)."""

    token: str
    jobs: list[ClaimedJob]
    lease_until: float
    dead: int = 0  # taken over at their last attempt: marked dead, not run

    def __len__(self) -> int:
        return len(self.jobs) + self.dead


def new_token() -> str:
    """A fresh fencing token for the next claim."""
    return uuid.uuid4().hex


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


# The worker's hot statements, as SQL text: a claim through the ORM cost ~5 ms of CPU building and
# compiling its two querysets — more than the rest of a cheap job's handling. Literal statuses (not
# parameters) also let PostgreSQL match the partial index ``jobs_job_due`` in a generic plan.
_TABLE = Job._meta.db_table
_ACTIVE = f"status IN ('{JobStatus.PENDING}', '{JobStatus.RUNNING}')"  # models.ACTIVE_STATUSES
_DUE = f"{_ACTIVE} AND run_after <= %s"
_CLAIM_SELECT = (
    f"SELECT id, status, attempts, max_attempts, name, payload, idempotency_key, request_id FROM {_TABLE} "
    f"WHERE {_DUE}{{only}} ORDER BY run_after LIMIT %s"
)
_CLAIM_UPDATE = (
    f"UPDATE {_TABLE} SET status = '{JobStatus.RUNNING}', attempts = attempts + 1, started_at = %s, "
    f"run_after = %s, delivery_token = %s WHERE id IN ({{ids}})"
)
_COMPLETE = (
    f"UPDATE {_TABLE} SET status = '{JobStatus.DONE}', finished_at = %s, last_error = '' "
    f"WHERE delivery_token = %s AND status = '{JobStatus.RUNNING}' AND id IN ({{ids}})"
)
_NEXT_DUE = f"SELECT MIN(run_after) FROM {_TABLE} WHERE {_ACTIVE}"


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def jobs_claim(*, limit: int | None = None, job_ids: Collection[int] | None = None) -> Batch:
    """Claim up to ``limit`` due jobs (``BATCH_SIZE``) for this worker; ``job_ids`` narrows (tests)."""
    limit = limit or int(job_setting("BATCH_SIZE"))
    lease = float(job_setting("LEASE_SECONDS"))
    token = new_token()
    now = timezone.now()
    started = time.monotonic()
    ops = connection.ops
    params: list[Any] = [ops.adapt_datetimefield_value(now)]
    only = ""
    if job_ids is not None:
        if not job_ids:
            return Batch(token=token, jobs=[], lease_until=started + lease)
        only = f" AND id IN ({_placeholders(len(job_ids))})"
        params += list(job_ids)
    select = _CLAIM_SELECT.format(only=only)
    if connection.features.has_select_for_update_skip_locked:
        # Two workers claim different jobs instead of queueing on the same rows. SQLite has no row
        # locks: this transaction holds the database's write lock from its start (IMMEDIATE).
        select += " FOR UPDATE SKIP LOCKED"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(select, [*params, limit])
        rows = cursor.fetchall()
        claimed, dead = [], []
        unreadable: list[tuple[int, str, str]] = []
        for pk, status, attempts, max_attempts, name, payload, key, request_id in rows:
            if status == JobStatus.RUNNING:
                # Still running after its lease: the worker that had it died (or lost the database).
                logger.warning("Job %s #%s: attempt %s was interrupted; taking over", name, pk, attempts)
                if attempts >= max_attempts:
                    dead.append((pk, name, attempts))
                    continue
            try:
                if isinstance(payload, str):  # JSON as text (both backends, as Django configures them)
                    payload = json.loads(payload)
                if not isinstance(payload, dict):
                    raise TypeError(f"payload is a {type(payload).__name__}, not an object")
            except (ValueError, TypeError) as exc:
                # A payload no handler can be given (written by hand, or by another version): left
                # pending it would be claimed, fail the claim and stay pending for ever. Dead at once,
                # with the reason: retrying cannot change the stored bytes.
                unreadable.append((pk, name, f"Undeliverable: the payload cannot be read ({exc})."))
                continue
            claimed.append(
                ClaimedJob(pk, name, payload, key, attempts + 1, max_attempts, token, request_id or "")
            )
        for pk, name, attempts in dead:
            Job.objects.filter(pk=pk).update(
                status=JobStatus.DEAD,
                finished_at=now,
                last_error=f"Worker died during attempt {attempts} (the last allowed).",
            )
            logger.error("Job %s #%s dead: its worker died during its last attempt (%s)", name, pk, attempts)
        for pk, name, reason in unreadable:
            Job.objects.filter(pk=pk).update(
                status=JobStatus.DEAD, finished_at=now, attempts=F("attempts") + 1, last_error=reason
            )
            logger.error("Job %s #%s dead: %s", name, pk, reason)
        dead += [(pk, name, 0) for pk, name, _reason in unreadable]
        if claimed:
            cursor.execute(
                _CLAIM_UPDATE.format(ids=_placeholders(len(claimed))),
                [
                    ops.adapt_datetimefield_value(now),
                    ops.adapt_datetimefield_value(now + timedelta(seconds=lease)),
                    token,
                    *(job.id for job in claimed),
                ],
            )
    return Batch(token=token, jobs=claimed, lease_until=started + lease, dead=len(dead))


def batch_run(batch: Batch) -> list[str]:
    """Run the claimed jobs in order; return each one's outcome ("done", "failed attempt N", …).

    Stops early when the worker is asked to stop: the handler in hand and the jobs not started are
    released. Completions of non-atomic handlers are written together before returning.
    """
    timeout = float(job_setting("TIMEOUT_SECONDS"))
    lease = float(job_setting("LEASE_SECONDS"))
    # Renew the batch's lease before it could run out during the next handler (whose time is bounded
    # by the timeout), with some slack for the bookkeeping between handlers.
    margin = min(5.0, max(0.0, lease - timeout) / 2)
    outcomes: list[str] = []
    finished: list[ClaimedJob] = []  # non-atomic handlers that returned; completion not yet written
    try:
        for position, job in enumerate(batch.jobs):
            if stopping.stopping():
                _release(batch.jobs[position:], started=False)
                outcomes.extend("released" for _ in batch.jobs[position:])
                break
            if time.monotonic() + timeout + margin > batch.lease_until:
                _complete(finished)
                finished.clear()
                _renew(batch, batch.jobs[position:], lease)
            # The job's log lines (and the jobs it enqueues) carry the id of the request behind it.
            with log_context_bind(request_id=job.request_id or None, job_id=job.id, job_name=job.name):
                outcomes.append(_run_one(job, finished, timeout))
    finally:
        # Also on the way out of an unexpected error: what ran is recorded, the rest re-runs after
        # its lease.
        _complete(finished)
    return outcomes


def jobs_run_due(*, job_ids: Collection[int] | None = None) -> list[str]:
    """Claim and run every due job (batch after batch), as the worker does; return the outcomes.

    The worker loop calls this; tests call it to run what a worker would run now. ``job_ids``
    restricts it to those jobs (tests that run one job among others).
    """
    outcomes: list[str] = []
    limit = int(job_setting("BATCH_SIZE"))
    while not stopping.stopping():
        batch = jobs_claim(limit=limit, job_ids=job_ids)
        outcomes.extend("dead" for _ in range(batch.dead))
        outcomes.extend(batch_run(batch))
        if len(batch) < limit:
            break
    return outcomes


def _run_one(job: ClaimedJob, finished: list[ClaimedJob], timeout: float) -> str:
    ctx = JobContext(
        job_id=job.id,
        name=job.name,
        payload=job.payload,
        idempotency_key=job.idempotency_key,
        attempt=job.attempt,
    )
    try:
        spec = get_handler(job.name)
        if spec.atomic:
            with transaction.atomic():
                with interruptible(timeout_seconds=timeout):
                    spec.func(ctx)
                if not _running(job).update(status=JobStatus.DONE, finished_at=timezone.now(), last_error=""):
                    raise _Superseded
        else:
            with interruptible(timeout_seconds=timeout):
                spec.func(ctx)
            finished.append(job)
    except _Superseded:
        logger.warning("Job %s #%s: taken over by another worker; this attempt rolled back", job.name, job.id)
        return "superseded"
    except JobInterrupted:
        # The worker is stopping: the attempt's transaction has rolled back.
        _release([job], started=True)
        return "released"
    except (Exception, JobTimedOut) as exc:
        _record_failure(job, exc)
        return f"failed attempt {job.attempt}"
    if spec.atomic:
        logger.info("Job %s #%s done (attempt %s)", job.name, job.id, job.attempt)
    return "done"


class _Superseded(Exception):
    """Raised inside an atomic handler's transaction to roll it back: the job is no longer ours."""


def _running(job: ClaimedJob) -> Any:
    """The job's row while it is still ours (our token, still running)."""
    return Job.objects.filter(pk=job.id, delivery_token=job.token, status=JobStatus.RUNNING)


def _complete(jobs: Sequence[ClaimedJob]) -> None:
    """Record the completion of non-atomic handlers that returned: one UPDATE for the lot."""
    if not jobs:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _COMPLETE.format(ids=_placeholders(len(jobs))),
            [
                connection.ops.adapt_datetimefield_value(timezone.now()),
                jobs[0].token,
                *(job.id for job in jobs),
            ],
        )
        marked = cursor.rowcount
    if marked < len(jobs):
        logger.warning("%s of %s completed jobs had been taken over meanwhile", len(jobs) - marked, len(jobs))
    if logger.isEnabledFor(logging.INFO):
        logger.info("Jobs done: %s", ", ".join(f"{job.name} #{job.id}" for job in jobs))


def _renew(batch: Batch, jobs: Sequence[ClaimedJob], lease: float) -> None:
    started = time.monotonic()
    Job.objects.filter(
        pk__in=[job.id for job in jobs], delivery_token=batch.token, status=JobStatus.RUNNING
    ).update(run_after=timezone.now() + timedelta(seconds=lease))
    batch.lease_until = started + lease


def _release(jobs: Sequence[ClaimedJob], *, started: bool) -> None:
    """Make jobs pending again, due now, their attempt not counted: the worker is stopping.

    The attempt was counted at the claim; it was stopped, it did not fail (a worker that is killed
    instead still counts it). ``started``: whether a handler had begun (for the log).
    """
    if not jobs:
        return
    Job.objects.filter(
        pk__in=[job.id for job in jobs], delivery_token=jobs[0].token, status=JobStatus.RUNNING
    ).update(status=JobStatus.PENDING, attempts=F("attempts") - 1, run_after=timezone.now())
    jobs_wake()  # another worker may take them at once
    for job in jobs:
        logger.info(
            "Job %s #%s released%s: the worker is stopping",
            job.name,
            job.id,
            " mid-run" if started else "",
        )


def _record_failure(job: ClaimedJob, exc: BaseException) -> None:
    """Record a failed attempt: pending again after a backoff, or dead after the last attempt."""
    error = "".join(traceback.format_exception(exc))[-_ERROR_MAX_CHARS:]
    now = timezone.now()
    if job.attempt >= job.max_attempts:
        if _running(job).update(status=JobStatus.DEAD, finished_at=now, last_error=error):
            logger.error("Job %s #%s dead after %s attempts: %s", job.name, job.id, job.attempt, exc)
        return
    run_after = now + backoff_delay(job.attempt)
    if _running(job).update(status=JobStatus.PENDING, run_after=run_after, last_error=error):
        logger.warning(
            "Job %s #%s attempt %s failed (%s); retry at %s",
            job.name,
            job.id,
            job.attempt,
            exc,
            run_after.isoformat(),
        )


def jobs_wake() -> None:
    """Wake the idle workers (PostgreSQL) when jobs became due other than by an INSERT.

    Inside a transaction the notification is sent when it commits (so a worker sees the change).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [WAKE_CHANNEL])


def next_due() -> datetime | None:
    """When the next job becomes due (a pending job's run_after or a running job's lease expiry)."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_DUE)
        (due,) = cursor.fetchone()
    if due is None:
        return None
    if isinstance(due, str):  # SQLite: an aggregate loses the column's type
        due = datetime.fromisoformat(due)
    return due.replace(tzinfo=UTC) if timezone.is_naive(due) else due  # naive on SQLite: UTC


class _Waker:
    """Where the idle worker sleeps: the LISTEN connection (PostgreSQL) and the signal wake-up pipe."""

    def __init__(self) -> None:
        self.listener: Any = None
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        # A signal (SIGTERM/SIGINT) writes a byte here, so a sleeping select() returns at once.
        signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)

    def listen(self) -> None:
        if connection.vendor != "postgresql":
            return
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        connection.ensure_connection()
        self.listener = connection.get_new_connection(connection.get_connection_params())
        self.listener.autocommit = True
        self.listener.execute(f"LISTEN {WAKE_CHANNEL}")

    def wait(self, seconds: float, *, gather: float = 0.0) -> None:
        """Sleep up to ``seconds``, less if a notification or a signal arrives; drain what arrived.

        ``gather``: after a notification, sleep that much longer (a signal still ends it), so that the
        jobs of the transactions committing meanwhile are claimed in one batch instead of one wake-up,
        claim and completion each — under load a wake-up cost about as much as a job.
        """
        fds = [self._read] + ([self.listener.fileno()] if self.listener is not None else [])
        if seconds > 0:
            ready, _, _ = select.select(fds, [], [], seconds)
            if gather > 0 and ready and self._read not in ready:
                self.pause(gather)
        self.drain()

    def pause(self, seconds: float) -> None:
        """Sleep up to ``seconds``, less if a signal arrives (the LISTEN connection may be broken)."""
        select.select([self._read], [], [], seconds)

    def drain(self) -> None:
        try:
            while os.read(self._read, 512):
                pass
        except BlockingIOError:
            pass
        if self.listener is not None:
            pgconn = self.listener.pgconn
            pgconn.consume_input()  # raises if the connection is gone: the loop reconnects
            while pgconn.notifies() is not None:
                pass

    def close(self) -> None:
        signal.set_wakeup_fd(-1)
        os.close(self._read)
        os.close(self._write)
        if self.listener is not None:
            self.listener.close()


def run_forever() -> None:
    """The worker's loop: claim and run due jobs, sleep until more are due; return once told to stop."""
    poll = float(job_setting("POLL_MS")) / 1000
    gather = float(job_setting("GATHER_MS")) / 1000
    idle_cap = IDLE_CHECK_SECONDS if connection.vendor == "postgresql" else poll
    waker = _Waker()
    listening = False
    try:
        while not stopping.stopping():
            try:
                if not listening:
                    # Before the first claim: a job committed after it wakes the sleep that follows.
                    waker.listen()
                    listening = True
                # Notifications that arrived while the last batch ran are for jobs this claim sees.
                waker.drain()
                # Periodic jobs (periodic.py) whose period began: enqueued once, whichever worker is first.
                periodic_enqueue_due()
                jobs_run_due()
                if stopping.stopping():
                    break
                due = min(
                    (each for each in (next_due(), periodic_next_due()) if each is not None), default=None
                )
                seconds = idle_cap if due is None else (due - timezone.now()).total_seconds()
                waker.wait(min(idle_cap, max(0.0, seconds)), gather=gather)
            except Exception:
                # The database went away or the LISTEN connection broke: a claimed batch re-runs after
                # its lease. Start over with fresh connections, without spinning.
                logger.exception("Job worker: database error; retrying in 5 s")
                connection.close()
                listening = False
                waker.pause(5)
    finally:
        waker.close()
