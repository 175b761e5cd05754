"""SIGTERM stops ``motcua run-jobs`` within seconds; the jobs in hand are released, then run once.

django-q2 alone waits for the running handler and for every delivery already fetched into the
cluster's local queue (a minute and more with a slow job). Real processes, real database, as in
``test_killed_worker.py``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django_q.models import OrmQ

from motcua.jobs.models import Job, JobStatus
from motcua.jobs.services import job_enqueue
from motcua.jobs.tests import handlers  # noqa: F401  (registers tests.slow here too)
from motcua.jobs.tests.test_killed_worker import _database_url, _worker_command

# Far above anything the test waits for: neither django-q2's timeout nor the lease may end the job.
TIMEOUT_SECONDS = 300
LEASE_SECONDS = 360
# The stop must take seconds; before the fix it took as long as the slow handler (90 s here). The
# bound is generous for a loaded CI machine: it tells "released" from "waited for", not fast from slow.
STOP_BOUND_SECONDS = 30


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
        return subprocess.Popen(
            _worker_command(), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _wait_for(condition: Callable[[], bool], what: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"worker exited ({proc.returncode}) before {what}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()}")
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # committed rows, visible to the worker processes
def test_sigterm_releases_the_jobs_in_hand_and_they_run_once_later(tmp_path):
    attempts_log = tmp_path / "attempts"
    with transaction.atomic():
        # Two slow jobs: one runs, the other waits in the cluster's local queue (or in the database).
        jobs = [
            job_enqueue(name="tests.slow", payload={"dir": str(tmp_path)}, idempotency_key=f"k-stop-{n}")[0]
            for n in (1, 2)
        ]

    first_log = tmp_path / "worker-1.log"
    first = _start_worker(first_log)
    try:
        _wait_for(attempts_log.exists, "a handler started", first, first_log)
        first.send_signal(signal.SIGTERM)  # what `make run`'s trap, systemd or docker stop send
        try:
            first.wait(timeout=STOP_BOUND_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"worker still running {STOP_BOUND_SECONDS} s after SIGTERM:\n{first_log.read_text()}"
            )
    finally:
        _kill_group(first)
    logs = f"worker 1 log:\n{first_log.read_text()}"
    assert first.returncode == 0, logs

    # Released, not lost: pending again with one live delivery each, the interrupted attempt rolled
    # back and not counted.
    for job in jobs:
        job.refresh_from_db()
        assert (job.status, job.attempts) == (JobStatus.PENDING, 0), logs
    assert not Group.objects.exists(), logs
    assert OrmQ.objects.count() == 2, logs

    # The next worker runs each job once, at once (no lease to wait for).
    (tmp_path / "release").touch()
    second_log = tmp_path / "worker-2.log"
    second = _start_worker(second_log)
    try:

        def finished() -> bool:
            done = Job.objects.filter(pk__in=[j.pk for j in jobs], status=JobStatus.DONE).count() == 2
            return done and not OrmQ.objects.exists()

        _wait_for(finished, "both jobs completed", second, second_log)
    finally:
        _kill_group(second)
    logs += f"\nworker 2 log:\n{second_log.read_text()}"
    for job in jobs:
        job.refresh_from_db()
        assert (job.status, job.attempts) == (JobStatus.DONE, 1), logs
    assert sorted(Group.objects.values_list("name", flat=True)) == [
        "effect:k-stop-1:1",
        "effect:k-stop-2:1",
    ], logs
