"""Project-wide job API: enqueue inside your transaction, register handlers.

Usage from another app's service::

    from motcua.jobs.services import job_enqueue

    with transaction.atomic():
        dossier.status = ...; dossier.save()
        AuditEntry.objects.create(...)
        job_enqueue(
            name="notify.sms",
            payload={"dossier_id": dossier.pk},
            idempotency_key=f"dossier:{dossier.pk}:received:sms",
        )

and in that app's ``job_handlers.py``::

    from motcua.jobs.services import JobContext, job_handler

    @job_handler("notify.sms", atomic=False)
    def send_sms(ctx: JobContext) -> None: ...
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core.logcontext import request_id_get
from motcua.core.orm import PreparedInsert, in_transaction
from motcua.jobs.conf import job_setting
from motcua.jobs.delivery import jobs_wake, new_token
from motcua.jobs.models import Job, JobStatus
from motcua.jobs.registry import JobContext, UnknownJobHandler, get_handler, job_handler

__all__ = [
    "IdempotencyConflict",
    "JobContext",
    "JobRequest",
    "UnknownJobHandler",
    "job_enqueue",
    "job_enqueue_many",
    "job_handler",
    "job_retry_now",
]


class IdempotencyConflict(ValueError):
    """The idempotency key is already used by a job with a different name or payload."""


@dataclass(frozen=True)
class JobRequest:
    """One job for ``job_enqueue_many``: the arguments of ``job_enqueue``."""

    name: str
    payload: dict[str, Any]
    idempotency_key: str
    run_after: datetime | None = None


def _require_atomic(caller: str) -> None:
    if not in_transaction():
        raise RuntimeError(f"{caller}() must be called inside transaction.atomic() (transactional outbox)")


def _prepared(name: str, payload: dict[str, Any], run_after: datetime | None) -> tuple[Any, dict[str, Any]]:
    spec = get_handler(name)  # fail at the call site on a typo, not later in a worker
    # Round-trip through JSON: rejects what the JSONField could not store, and normalises
    # (tuples → lists) so a duplicate enqueue compares equal to what was stored.
    normalized = json.loads(json.dumps(payload))
    if run_after is not None and timezone.is_naive(run_after):
        raise ValueError("run_after must be timezone-aware")
    return spec, normalized


def job_enqueue(
    *, name: str, payload: dict[str, Any], idempotency_key: str, run_after: datetime | None = None
) -> tuple[Job, bool]:
    """Enqueue job ``name`` in the caller's transaction; return ``(job, created)``.

    Must be called inside ``transaction.atomic()``: the job row is inserted in that transaction, so it
    commits with the state change that caused it and vanishes if it rolls back. On PostgreSQL the
    INSERT's trigger wakes the workers when that transaction commits (``delivery.py``).
    A key that was already enqueued returns the existing job with ``created=False`` — whether that
    job is pending, done or dead — and enqueues nothing.

    Raises ``UnknownJobHandler`` for an unregistered name, ``IdempotencyConflict`` if the key is
    taken by a different job, ``TypeError`` for a payload that is not JSON, ``RuntimeError`` outside
    a transaction.
    """
    _require_atomic("job_enqueue")
    spec, normalized = _prepared(name, payload, run_after)
    try:
        # Savepoint: a duplicate key must not poison the caller's transaction on PostgreSQL.
        with transaction.atomic():
            job = Job.objects.create(
                name=name,
                payload=normalized,
                idempotency_key=idempotency_key,
                max_attempts=spec.max_attempts or int(job_setting("MAX_ATTEMPTS")),
                run_after=run_after or timezone.now(),
                delivery_token=new_token(),
                # The worker binds it again while the job runs (its log lines carry the request's id).
                request_id=request_id_get(),
            )
    except IntegrityError:
        # If a concurrent transaction inserted the same key, the insert above waited for it to commit
        # (PostgreSQL) or for the write lock (SQLite), so the winner is visible now.
        existing = Job.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise  # some other constraint failed: not a duplicate
        if existing.name != name or existing.payload != normalized:
            raise IdempotencyConflict(
                f"Idempotency key {idempotency_key!r} already belongs to job {existing.name!r} "
                "with a different payload"
            ) from None
        return existing, False
    return job, True


# A dossier event enqueues one job per subscriber (two today). For a handful of rows one precompiled
# INSERT each costs less CPU than ``bulk_create``, which on PostgreSQL (Django 5.2) sends one array per
# column, each JSON payload escaped into array text in Python (issue 9 profile: 0.9 vs 1.4 ms for two
# rows, on every dossier action). The trigger's notification still folds to one per transaction.
_FEW_ROWS = 4
_JOB_INSERT: PreparedInsert[Job] = PreparedInsert(Job)


def job_enqueue_many(requests: Sequence[JobRequest], *, fresh_keys: bool = False) -> list[tuple[Job, bool]]:
    """``job_enqueue`` for several jobs at once (e.g. the jobs of one event); ``(job, created)`` each.

    Same contract as ``job_enqueue``, in the caller's transaction, but one savepoint for the lot and
    one precompiled INSERT per job (one INSERT for the lot beyond ``_FEW_ROWS``). If any key is already taken
    (the batch's savepoint rolls back), every request goes through ``job_enqueue`` one by one, which
    returns the existing jobs and enqueues the others — the result is the same as calling it per job.

    ``fresh_keys``: the caller knows no job can hold these keys — they are derived from a row it has
    just inserted under a unique constraint in this transaction (a dossier event) — so the savepoint
    (two round trips) is skipped; a duplicate key would then raise ``IntegrityError`` and roll the
    caller's transaction back, which is right for what can only be a bug.
    """
    _require_atomic("job_enqueue_many")
    if not requests:
        return []
    prepared = [(r, *_prepared(r.name, r.payload, r.run_after)) for r in requests]
    if len({r.idempotency_key for r in requests}) < len(requests):
        return _enqueue_each(requests)
    now = timezone.now()
    default_max = int(job_setting("MAX_ATTEMPTS"))
    request_id = request_id_get()
    try:
        with transaction.atomic(savepoint=not fresh_keys):
            jobs = [
                Job(
                    name=r.name,
                    payload=normalized,
                    idempotency_key=r.idempotency_key,
                    max_attempts=spec.max_attempts or default_max,
                    run_after=r.run_after or now,
                    delivery_token=new_token(),
                    request_id=request_id,
                )
                for r, spec, normalized in prepared
            ]
            if len(jobs) <= _FEW_ROWS:
                for job in jobs:
                    _JOB_INSERT.insert(job)
            else:
                Job.objects.bulk_create(jobs)
    except IntegrityError:
        if fresh_keys:
            raise
        return _enqueue_each(requests)
    return [(job, True) for job in jobs]


def _enqueue_each(requests: Sequence[JobRequest]) -> list[tuple[Job, bool]]:
    """``job_enqueue`` per request: returns the jobs already holding a key, enqueues the others."""
    return [
        job_enqueue(name=r.name, payload=r.payload, idempotency_key=r.idempotency_key, run_after=r.run_after)
        for r in requests
    ]


def job_retry_now(job: Job) -> Job:
    """Give a dead or waiting job a fresh set of attempts starting now (admin action).

    A job that is running or done is left alone: re-running a completed job would break the
    idempotency promise, and a running one is in a worker's hands.
    """
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status not in (JobStatus.DEAD, JobStatus.PENDING):
            return locked
        locked.status = JobStatus.PENDING
        locked.attempts = 0
        locked.run_after = timezone.now()
        locked.finished_at = None
        locked.save(update_fields=["status", "attempts", "run_after", "finished_at"])
        jobs_wake()  # at commit: an idle worker takes it now, not at its next look
        return locked
