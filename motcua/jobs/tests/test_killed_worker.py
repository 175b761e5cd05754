"""A job whose worker is SIGKILLed mid-job is run again by a new worker, and applied once.

Real processes, real database: the test starts ``motcua run-jobs`` (the production worker command)
against the test database, lets it pick up a job whose handler blocks inside its transaction, kills
the worker's whole process group, starts a second worker and waits for the job to finish. Runs on
SQLite (file database) and PostgreSQL alike — whichever ``DATABASE_URL`` the suite runs on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django_q.models import OrmQ

from motcua.jobs.models import Job, JobStatus
from motcua.jobs.services import job_enqueue
from motcua.jobs.tests import handlers  # noqa: F401  (registers tests.blocking here too)

# Short lease so the re-delivery comes quickly (it must exceed the timeout). The timeout bounds the
# handler's time from start to kill; keep slack for a loaded CI machine.
LEASE_SECONDS = 4
TIMEOUT_SECONDS = 3


def _database_url() -> str:
    """URL of the database this test runs on (pytest-django's test database), for the subprocess."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            pytest.skip("the worker subprocess needs a file database it can open")
        return f"sqlite:///{name}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db.get("PASSWORD"):
            credentials += ":" + quote(db["PASSWORD"], safe="")
        return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    pytest.skip(f"no URL form for {db['ENGINE']}")


def _worker_command() -> list[str]:
    script = Path(sys.executable).with_name("motcua")  # the console script `make` would use
    base = [str(script)] if script.exists() else [sys.executable, "-m", "motcua.manage"]
    return [*base, "run-jobs", "--import", "motcua.jobs.tests.handlers"]


def _start_worker(log_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "DATABASE_URL": _database_url(),
        "MOTCUA_JOBS_WORKERS": "1",
        "MOTCUA_JOBS_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
        "MOTCUA_JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
        "MOTCUA_JOBS_POLL_MS": "100",
    }
    with log_path.open("wb") as log:
        # Own session = own process group: the cluster's sentinel, pusher, monitor and worker
        # processes can then be killed together, as a crash or `kill -9` of the service would.
        return subprocess.Popen(
            _worker_command(), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _wait_for(condition: Callable[[], bool], what: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"worker exited ({proc.returncode}) before {what}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()}")
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # committed rows, visible to the worker processes
def test_job_whose_worker_was_killed_runs_again_to_completion_once(tmp_path):
    attempts_log = tmp_path / "attempts"
    with transaction.atomic():
        job, _ = job_enqueue(
            name="tests.blocking", payload={"dir": str(tmp_path)}, idempotency_key="k-killed"
        )

    # 1. First worker takes the job; its handler writes its effect and blocks, transaction open.
    first_log = tmp_path / "worker-1.log"
    first = _start_worker(first_log)
    try:
        _wait_for(attempts_log.exists, "the handler started", first, first_log)
    finally:
        _kill_group(first)  # SIGKILL sentinel, pusher, monitor and worker mid-job
    logs = f"worker 1 log:\n{first_log.read_text()}"
    assert first.returncode == -signal.SIGKILL, logs

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1), logs  # attempt counted, unfinished
    assert not Group.objects.exists(), logs  # the killed attempt's transaction died with it
    assert OrmQ.objects.count() == 1, logs  # never acknowledged: only its lease stands in the way

    # 2. A new worker: once the lease expires it gets the same delivery and takes the job over.
    (tmp_path / "release").touch()
    second_log = tmp_path / "worker-2.log"
    second = _start_worker(second_log)
    try:

        def finished() -> bool:
            return Job.objects.filter(pk=job.pk, status=JobStatus.DONE).exists() and not OrmQ.objects.exists()

        _wait_for(finished, "the job completed and its delivery was acknowledged", second, second_log)
    finally:
        # Nothing is left to flush (the delivery is acknowledged), so skip the ~2 s graceful stop.
        _kill_group(second)

    logs += f"\nworker 2 log:\n{second_log.read_text()}"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2), logs
    assert attempts_log.read_text().split() == ["1", "2"], logs  # it really ran twice…
    assert list(Group.objects.values_list("name", flat=True)) == ["effect:k-killed:2"], logs  # …applied once
    assert "interrupted; taking over" in second_log.read_text(), logs
