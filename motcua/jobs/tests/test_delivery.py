"""The claim loop: retries with growing delays, dead jobs, exactly-once completion, fencing, release."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.jobs import delivery
from motcua.jobs.models import Job, JobStatus
from motcua.jobs.services import job_enqueue, job_retry_now
from motcua.jobs.tests import handlers

BASE = 10


@pytest.fixture
def fast_backoff(settings):
    settings.MOTCUA_JOBS = {
        "BACKOFF_BASE_SECONDS": BASE,
        "BACKOFF_MAX_SECONDS": 10_000,
        "BACKOFF_JITTER": 0.25,
    }


@pytest.fixture
def short_lease(settings):
    settings.MOTCUA_JOBS = {"TIMEOUT_SECONDS": 5, "LEASE_SECONDS": 10}


def _enqueue(name: str, key: str, **payload) -> Job:
    with transaction.atomic():
        job, _ = job_enqueue(name=name, payload=payload, idempotency_key=key)
    return job


def _after_the_lease(time_machine) -> None:
    """Move the clock past a claim's lease: what a worker killed mid-job leaves behind."""
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=11), tick=False)


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_backoff")
def test_failing_job_is_retried_with_growing_delays_then_dead(deliver_due, time_machine, admin_client):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    job = _enqueue("tests.flaky", "k-dead")  # never succeeds; the handler allows 4 attempts

    delays = []
    for attempt in range(1, 5):
        assert deliver_due() == [f"failed attempt {attempt}"]
        job.refresh_from_db()
        assert job.attempts == attempt
        assert f"HandlerFailure: attempt {attempt} failed" in job.last_error
        if attempt < 4:
            assert job.status == JobStatus.PENDING
            delay = (job.run_after - now).total_seconds()
            delays.append(delay)
            assert deliver_due() == []  # not before its time
            now = job.run_after
            time_machine.move_to(now, tick=False)

    # BASE·2^(n-1) stretched by up to 25 %: 10–12.5 s, 20–25 s, 40–50 s.
    for n, delay in enumerate(delays, start=1):
        assert BASE * 2 ** (n - 1) <= delay < BASE * 2 ** (n - 1) * 1.25
    assert delays == sorted(delays)
    assert len(set(delays)) == 3

    assert job.status == JobStatus.DEAD
    assert job.finished_at is not None
    time_machine.move_to(now + dt.timedelta(days=1), tick=False)
    assert deliver_due() == []  # a dead job is never claimed again
    assert Group.objects.count() == 0  # every failed attempt's writes were rolled back
    assert [call[2] for call in handlers.CALLS] == [1, 2, 3, 4]

    # Visible in the admin: the dead-jobs filter lists it; the action gives it a fresh start.
    changelist = reverse("admin:jobs_job_changelist")
    response = admin_client.get(changelist, {"status__exact": "dead"})
    assert response.status_code == 200
    assert "k-dead" in response.content.decode()
    response = admin_client.post(changelist, {"action": "retry_now", "_selected_action": [job.pk]})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.PENDING, 0)
    assert deliver_due() == ["failed attempt 1"]  # due at once


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_backoff")
def test_failed_attempts_roll_back_and_the_successful_one_applies_once(deliver_due, time_machine):
    job = _enqueue("tests.flaky", "k-flaky", succeed_on=3)
    for _ in range(3):
        deliver_due()
        job.refresh_from_db()
        time_machine.move_to(job.run_after + dt.timedelta(seconds=1), tick=False)

    assert job.status == JobStatus.DONE
    assert job.attempts == 3
    assert job.last_error == ""
    assert list(Group.objects.values_list("name", flat=True)) == ["effect:k-flaky:3"]
    assert deliver_due() == []


@pytest.mark.django_db
def test_completed_job_is_never_claimed_again(deliver_due, time_machine):
    job = _enqueue("tests.effect", "k-once")
    assert deliver_due() == ["done"]
    time_machine.move_to(timezone.now() + dt.timedelta(days=1), tick=False)
    assert deliver_due() == []
    assert handlers.CALLS == [("tests.effect", "k-once", 1)]
    assert Group.objects.count() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)


@pytest.mark.django_db
@pytest.mark.usefixtures("short_lease")
def test_a_worker_that_lost_its_job_cannot_complete_it(time_machine):
    """Fencing: worker A's lease ran out (it stalled), B took the job over; A's late run rolls back."""
    job = _enqueue("tests.effect", "k-fenced")
    stalled = delivery.jobs_claim()
    _after_the_lease(time_machine)
    taken_over = delivery.jobs_claim()
    assert [j.attempt for j in taken_over.jobs] == [2]
    assert stalled.token != taken_over.token

    assert delivery.batch_run(stalled) == ["superseded"]
    assert not Group.objects.exists()  # A's writes rolled back with its completion
    assert delivery.batch_run(taken_over) == ["done"]
    assert list(Group.objects.values_list("name", flat=True)) == ["effect:k-fenced:2"]
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)


@pytest.mark.django_db
@pytest.mark.usefixtures("short_lease")
def test_interrupted_attempt_counts_and_is_taken_over(deliver_due, time_machine):
    job = _enqueue("tests.effect", "k-takeover")
    delivery.jobs_claim()  # a worker claims the job and is killed: the attempt is counted, never finished
    assert deliver_due() == []  # its lease still holds
    _after_the_lease(time_machine)

    assert deliver_due() == ["done"]
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)


@pytest.mark.django_db
@pytest.mark.usefixtures("short_lease")
def test_job_that_keeps_killing_its_worker_ends_dead(deliver_due, time_machine):
    with transaction.atomic():
        job, _ = job_enqueue(name="tests.effect", payload={}, idempotency_key="k-poison")
        Job.objects.filter(pk=job.pk).update(max_attempts=1)
    delivery.jobs_claim()  # attempt 1 of 1, then the worker dies
    _after_the_lease(time_machine)

    assert deliver_due() == ["dead"]
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DEAD, 1)
    assert "Worker died" in job.last_error
    assert handlers.CALLS == []


@pytest.mark.django_db
def test_a_handler_over_its_time_limit_is_stopped_and_retried(deliver_due, settings):
    settings.MOTCUA_JOBS = {"TIMEOUT_SECONDS": 0.3, "LEASE_SECONDS": 10}
    job = _enqueue("tests.timeout", "k-timeout")
    assert deliver_due() == ["failed attempt 1"]  # the handler would have worked for 30 s
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    assert job.run_after > timezone.now()  # retried after a backoff
    assert "JobTimedOut" in job.last_error
    assert Group.objects.count() == 0


@pytest.mark.django_db
def test_a_timeout_inside_a_query_cancels_it_and_the_worker_goes_on(deliver_due, settings):
    """psycopg cancels the query the timeout interrupts, so the rollback and the failure record work."""
    if connection.vendor != "postgresql":
        pytest.skip("waits in PostgreSQL's pg_sleep")
    settings.MOTCUA_JOBS = {"TIMEOUT_SECONDS": 0.3, "LEASE_SECONDS": 10}
    job = _enqueue("tests.slow_query", "k-slow-query")
    after = _enqueue("tests.effect", "k-after-slow-query")
    assert deliver_due() == ["failed attempt 1", "done"]
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    assert "JobTimedOut" in job.last_error
    assert list(Group.objects.values_list("name", flat=True)) == ["effect:k-after-slow-query:1"]
    after.refresh_from_db()
    assert after.status == JobStatus.DONE


@pytest.mark.django_db
def test_non_atomic_handler_runs_and_records_completion(deliver_due):
    job = _enqueue("tests.external", "k-external")
    assert deliver_due() == ["done"]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.finished_at is not None
    assert handlers.CALLS == [("tests.external", "k-external", 1)]


@pytest.mark.django_db
def test_a_batch_costs_the_same_statements_whatever_its_size(deliver_due):
    """Claiming is one SELECT and one UPDATE per batch, non-atomic completion one UPDATE per batch."""

    def statements_for(count: int, prefix: str) -> int:
        for n in range(count):
            _enqueue("tests.external", f"{prefix}-{n}")
        with CaptureQueriesContext(connection) as queries:
            assert deliver_due() == ["done"] * count
        return len(queries)

    assert statements_for(2, "k-small") == statements_for(7, "k-large")
    assert Job.objects.filter(status=JobStatus.DONE).count() == 9


@pytest.mark.django_db
def test_a_full_batch_is_followed_by_the_next_claim(deliver_due, settings):
    settings.MOTCUA_JOBS = {"BATCH_SIZE": 2}
    for n in range(5):
        _enqueue("tests.effect", f"k-batch-{n}")
    assert deliver_due() == ["done"] * 5
    assert [call[1] for call in handlers.CALLS] == [f"k-batch-{n}" for n in range(5)]


@pytest.mark.django_db
def test_a_stop_releases_the_handler_in_hand_and_the_rest_of_the_batch(deliver_due):
    first = _enqueue("tests.effect", "k-before")
    stopped = _enqueue("tests.stops_worker", "k-stopped")
    rest = _enqueue("tests.effect", "k-after")

    assert deliver_due() == ["done", "released", "released"]
    first.refresh_from_db()
    assert (first.status, first.attempts) == (JobStatus.DONE, 1)
    for job in (stopped, rest):
        job.refresh_from_db()
        # Pending, due now, the attempt not counted; the interrupted handler's write rolled back.
        assert (job.status, job.attempts) == (JobStatus.PENDING, 0)
        assert job.run_after <= timezone.now()
    assert list(Group.objects.values_list("name", flat=True)) == ["effect:k-before:1"]


@pytest.mark.django_db
def test_retry_now_leaves_completed_jobs_alone(deliver_due):
    job = _enqueue("tests.effect", "k-done")
    deliver_due()
    job = job_retry_now(job)
    assert job.status == JobStatus.DONE
    assert deliver_due() == []


def test_backoff_delay_is_capped(settings):
    settings.MOTCUA_JOBS = {"BACKOFF_BASE_SECONDS": 30, "BACKOFF_MAX_SECONDS": 3600, "BACKOFF_JITTER": 0}
    assert [delivery.backoff_delay(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]
