"""The attempt runner: retries with growing delays, dead jobs, exactly-once completion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_q.exceptions import TimeoutException
from django_q.models import OrmQ

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


def _enqueue(name: str, key: str, **payload) -> Job:
    with transaction.atomic():
        job, _ = job_enqueue(name=name, payload=payload, idempotency_key=key)
    return job


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_backoff")
def test_failing_job_is_retried_with_growing_delays_then_dead(deliver_due, time_machine, admin_client):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    job = _enqueue("tests.flaky", "k-dead")  # never succeeds; the handler allows 4 attempts
    # The broker shows a row once its lock is strictly in the past; the frozen clock must move on.
    now += dt.timedelta(milliseconds=1)
    time_machine.move_to(now, tick=False)

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
            # Exactly one delivery is queued for the retry, invisible until its time.
            assert list(OrmQ.objects.values_list("lock", flat=True)) == [job.run_after]
            assert deliver_due() == []
            now = job.run_after + dt.timedelta(milliseconds=1)
            time_machine.move_to(now, tick=False)

    # BASE·2^(n-1) stretched by up to 25 %: 10–12.5 s, 20–25 s, 40–50 s.
    for n, delay in enumerate(delays, start=1):
        assert BASE * 2 ** (n - 1) <= delay < BASE * 2 ** (n - 1) * 1.25
    assert delays == sorted(delays)
    assert len(set(delays)) == 3

    assert job.status == JobStatus.DEAD
    assert job.finished_at is not None
    assert OrmQ.objects.count() == 0  # no further delivery for a dead job
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
    assert OrmQ.objects.count() == 1


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
    assert OrmQ.objects.count() == 0


@pytest.mark.django_db
def test_completed_job_is_not_reapplied_when_delivered_again(deliver_due):
    job = _enqueue("tests.effect", "k-once")
    assert deliver_due() == ["done"]
    # The worker died after the handler's commit but before django-q2 acknowledged: the same
    # delivery (same token) comes back after its lease.
    assert delivery.run_delivery(job.pk, job.delivery_token) == "already done"
    assert handlers.CALLS == [("tests.effect", "k-once", 1)]
    assert Group.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_backoff")
def test_stale_delivery_of_an_earlier_attempt_is_dropped(deliver_due):
    job = _enqueue("tests.flaky", "k-stale", succeed_on=2)
    old_token = job.delivery_token
    deliver_due()  # attempt 1 fails; the retry has a new token
    assert delivery.run_delivery(job.pk, old_token) == "stale delivery"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)


@pytest.mark.django_db
def test_interrupted_attempt_counts_and_is_taken_over(settings):
    job = _enqueue("tests.effect", "k-takeover")
    # What a killed worker leaves behind: the attempt was started (committed), never finished.
    started, _ = delivery._start_attempt(job.pk, job.delivery_token)
    assert started is not None

    assert delivery.run_delivery(job.pk, job.delivery_token) == "done"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)


@pytest.mark.django_db
def test_job_that_keeps_killing_its_worker_ends_dead():
    with transaction.atomic():
        job, _ = job_enqueue(name="tests.effect", payload={}, idempotency_key="k-poison")
        Job.objects.filter(pk=job.pk).update(max_attempts=1)
    delivery._start_attempt(job.pk, job.delivery_token)  # attempt 1 of 1, then the worker dies

    assert delivery.run_delivery(job.pk, job.delivery_token) == "dead"
    job.refresh_from_db()
    assert job.status == JobStatus.DEAD
    assert "Worker died" in job.last_error
    assert handlers.CALLS == []


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_backoff")
def test_timeout_is_a_failed_attempt_and_still_stops_the_worker():
    job = _enqueue("tests.timeout", "k-timeout")
    with pytest.raises(TimeoutException):  # re-raised so django-q2 replaces the worker process
        delivery.run_delivery(job.pk, job.delivery_token)
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    assert "maximum timeout" in job.last_error
    assert Group.objects.count() == 0
    assert OrmQ.objects.filter(lock=job.run_after).count() == 1  # the backoff retry is queued


@pytest.mark.django_db
def test_non_atomic_handler_runs_and_records_completion(deliver_due):
    job = _enqueue("tests.external", "k-external")
    assert deliver_due() == ["done"]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert handlers.CALLS == [("tests.external", "k-external", 1)]


@pytest.mark.django_db
def test_retry_now_leaves_completed_jobs_alone(deliver_due):
    job = _enqueue("tests.effect", "k-done")
    deliver_due()
    job = job_retry_now(job)
    assert job.status == JobStatus.DONE
    assert OrmQ.objects.count() == 0


def test_backoff_delay_is_capped(settings):
    settings.MOTCUA_JOBS = {"BACKOFF_BASE_SECONDS": 30, "BACKOFF_MAX_SECONDS": 3600, "BACKOFF_JITTER": 0}
    assert [delivery.backoff_delay(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]
