"""Retry policy and worker settings of the job outbox, read from ``settings.MOTCUA_JOBS`` with safe defaults.

Read at call time (not import time) so tests can change it with pytest-django's ``settings``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Attempts before a job is marked dead; a handler can lower or raise it for itself.
    "MAX_ATTEMPTS": 8,
    # Delay before retry n is BASE × 2^(n-1) seconds, capped at MAX, then stretched by up to JITTER
    # (a fraction) so jobs that failed together (e.g. DVCQG down) do not all come back together.
    "BACKOFF_BASE_SECONDS": 30.0,
    "BACKOFF_MAX_SECONDS": 3600.0,
    "BACKOFF_JITTER": 0.25,
    # A handler running longer than this is stopped (SIGALRM in the worker) and its attempt failed.
    "TIMEOUT_SECONDS": 300,
    # A claimed job belongs to its worker until now + LEASE; a job still `running` after that lost its
    # worker (killed) and is taken over. Must exceed TIMEOUT (the worker renews it during a long batch).
    "LEASE_SECONDS": 360,
    # SQLite has no LISTEN/NOTIFY: an idle worker looks for due jobs this often (one indexed read).
    "POLL_MS": 1000,
    # PostgreSQL: after a notification wakes the worker, it waits this long before claiming, so the jobs
    # of transactions committing meanwhile share one claim (jobs start up to this much later).
    "GATHER_MS": 100,
    # Jobs claimed in one statement. A full batch is followed by the next claim at once.
    "BATCH_SIZE": 50,
    # Worker processes started by `motcua run-jobs` (each runs the claim loop; SKIP LOCKED on
    # PostgreSQL, the write lock on SQLite keep them from claiming the same job).
    "WORKERS": 1,
    # A due job still waiting after this long means no worker is taking jobs (stopped, crashing, cut off
    # from the database): /healthz/jobs answers 503 and the sweeper logs an error (health.py).
    "ALERT_AFTER_SECONDS": 600,
    # SIGTERM lets the handler in hand finish within this many seconds (a mail already being sent is not
    # cut off and sent again by the next worker); past it, or on a second signal, it is interrupted and
    # its job released (stopping.py). 0: interrupted at once.
    "STOP_GRACE_SECONDS": 0,
}


def job_setting(key: str) -> Any:
    """Return one setting, the project setting winning over the default."""
    configured: dict[str, Any] = getattr(settings, "MOTCUA_JOBS", {})
    return configured.get(key, DEFAULTS[key])
