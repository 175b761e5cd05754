"""A job whose worker is SIGKILLed mid-job is run again by a new worker, and applied once.

Real processes, real database: the test starts ``motcua run-jobs`` (the production worker command)
against the test database, lets it pick up a job whose handler blocks inside its transaction, kills
the worker's whole process group, starts a second worker and waits for the job to finish. Runs on
SQLite (file database) and PostgreSQL alike — whichever ``DATABASE_URL`` the suite runs on.
"""

from __future__ import annotations

import signal

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from motcua.jobs.models import Job, JobStatus
from motcua.jobs.services import job_enqueue
from motcua.jobs.tests import handlers  # noqa: F401  (registers tests.blocking here too)
from motcua.jobs.tests.worker_process import process_group_kill, wait_for, worker_start

# Short lease so the re-delivery comes quickly (it must exceed the timeout). The timeout bounds the
# handler's time from start to kill; keep slack for a loaded CI machine.
LEASE_SECONDS = 4
TIMEOUT_SECONDS = 3


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
    first = worker_start(first_log, timeout_seconds=TIMEOUT_SECONDS, lease_seconds=LEASE_SECONDS)
    try:
        wait_for(attempts_log.exists, "the handler started", first, first_log)
    finally:
        process_group_kill(first)  # SIGKILL the worker mid-job
    logs = f"worker 1 log:\n{first_log.read_text()}"
    assert first.returncode == -signal.SIGKILL, logs

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1), logs  # attempt counted, unfinished
    assert not Group.objects.exists(), logs  # the killed attempt's transaction died with it
    assert job.run_after > job.started_at, logs  # only its lease stands in the way

    # 2. A new worker: once the lease expires it claims the job again and takes it over.
    (tmp_path / "release").touch()
    second_log = tmp_path / "worker-2.log"
    second = worker_start(second_log, timeout_seconds=TIMEOUT_SECONDS, lease_seconds=LEASE_SECONDS)
    try:

        def finished() -> bool:
            return Job.objects.filter(pk=job.pk, status=JobStatus.DONE).exists()

        wait_for(finished, "the job completed", second, second_log)
    finally:
        process_group_kill(second)

    logs += f"\nworker 2 log:\n{second_log.read_text()}"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2), logs
    assert attempts_log.read_text().split() == ["1", "2"], logs  # it really ran twice…
    assert list(Group.objects.values_list("name", flat=True)) == ["effect:k-killed:2"], logs  # …applied once
    assert "interrupted; taking over" in second_log.read_text(), logs
