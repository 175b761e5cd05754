"""No stranded work: unreadable payloads are dead-lettered with their reason, the sweeper, and the
oldest due job's age on ``/healthz/jobs``."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from motcua.jobs import delivery
from motcua.jobs.health import SWEEP_JOB, jobs_sweep, queue_health
from motcua.jobs.models import Job, JobStatus
from motcua.jobs.periodic import periodic_schedules
from motcua.jobs.services import job_enqueue

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def _enqueue(key: str) -> Job:
    with transaction.atomic():
        job, _ = job_enqueue(name="tests.effect", payload={"n": 1}, idempotency_key=key)
    return job


def test_a_payload_that_cannot_be_read_is_dead_lettered_not_left_pending(caplog):
    broken = _enqueue("broken")
    fine = _enqueue("fine")
    # A payload no handler can be given (hand-written, or another version's): JSON, not an object.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Job._meta.db_table} SET payload = %s WHERE id = %s", ["[1, 2]", broken.pk])
    with caplog.at_level(logging.ERROR, logger="motcua.jobs"):
        outcomes = delivery.jobs_run_due(job_ids=[broken.pk, fine.pk])
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.status == JobStatus.DEAD
    assert "payload cannot be read" in broken.last_error
    assert fine.status == JobStatus.DONE  # the batch went on
    assert "dead" in outcomes
    assert any("payload cannot be read" in r.getMessage() for r in caplog.records)
    # Nothing is left for the next claim.
    assert delivery.jobs_run_due(job_ids=[broken.pk]) == []


def test_an_unknown_handler_is_retried_then_dead_with_its_reason(settings):
    settings.MOTCUA_JOBS = {"MAX_ATTEMPTS": 2, "BACKOFF_BASE_SECONDS": 1, "BACKOFF_MAX_SECONDS": 1}
    job = _enqueue("unknown")
    Job.objects.filter(pk=job.pk).update(name="tests.no_such_handler")  # a newer web's job name
    delivery.jobs_run_due(job_ids=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    delivery.jobs_run_due(job_ids=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.DEAD
    assert "tests.no_such_handler" in job.last_error


def test_sweeper_is_periodic_and_dead_letters_pending_jobs_without_attempts_left():
    assert SWEEP_JOB in {schedule.name for schedule in periodic_schedules()}
    job = _enqueue("exhausted")
    Job.objects.filter(pk=job.pk).update(attempts=job.max_attempts)
    assert jobs_sweep() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DEAD
    assert "sweeper" in job.last_error


def test_oldest_due_job_on_the_health_endpoint(client, settings, caplog):
    settings.MOTCUA_JOBS = {"ALERT_AFTER_SECONDS": 600}
    with time_machine.travel(NOW, tick=False):
        _enqueue("waiting")
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        body = client.get("/healthz/jobs").json()
        assert body["status"] == "ok"
        assert body["oldest_due_job_seconds"] == 300
        assert body["due_jobs"] >= 1
    with time_machine.travel(NOW + dt.timedelta(minutes=11), tick=False):
        response = client.get("/healthz/jobs")
        assert response.status_code == 503
        assert response.json()["status"] == "stale"
        with caplog.at_level(logging.ERROR, logger="motcua.jobs"):
            jobs_sweep()
        assert any("Job queue stalled" in r.getMessage() for r in caplog.records)
        assert queue_health().stale
