"""job_enqueue: the outbox commits and rolls back with the caller; keys are enqueued once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.jobs.models import Job, JobStatus
from motcua.jobs.services import (
    IdempotencyConflict,
    JobRequest,
    UnknownJobHandler,
    job_enqueue,
    job_enqueue_many,
)
from motcua.jobs.tests import handlers


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_leaves_no_job():
    def change_then_fail() -> None:
        with transaction.atomic():
            job_enqueue(name="tests.effect", payload={"n": 1}, idempotency_key="k-rollback")
            assert Job.objects.count() == 1  # visible inside the transaction…
            raise Boom

    with pytest.raises(Boom):
        change_then_fail()

    assert Job.objects.count() == 0  # …and gone with it


@pytest.mark.django_db(transaction=True)
def test_committed_transaction_has_its_job_due_at_once():
    with transaction.atomic():
        job, created = job_enqueue(name="tests.effect", payload={"n": 1}, idempotency_key="k-commit")

    assert created
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    assert job.payload == {"n": 1}
    assert job.attempts == 0
    assert job.max_attempts == 8  # MOTCUA_JOBS default; tests.effect sets none
    assert job.run_after <= timezone.now()


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        job_enqueue(name="tests.effect", payload={}, idempotency_key="k-autocommit")
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_key_enqueues_one_job(deliver_due):
    with transaction.atomic():
        first, created_first = job_enqueue(name="tests.effect", payload={"a": [1]}, idempotency_key="k-dup")
    with transaction.atomic():
        # Tuple vs list: equal once stored as JSON, so this is the same job, not a conflict.
        second, created_second = job_enqueue(
            name="tests.effect", payload={"a": (1,)}, idempotency_key="k-dup"
        )

    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert Job.objects.count() == 1
    assert deliver_due() == ["done"]
    # Even after completion the key is still taken: enqueuing it again does nothing.
    with transaction.atomic():
        _, created_again = job_enqueue(name="tests.effect", payload={"a": [1]}, idempotency_key="k-dup")
    assert not created_again
    assert deliver_due() == []
    assert handlers.CALLS == [("tests.effect", "k-dup", 1)]


@pytest.mark.django_db
def test_duplicate_key_keeps_the_outer_transaction_usable():
    with transaction.atomic():
        job_enqueue(name="tests.effect", payload={}, idempotency_key="k-outer")
        job_enqueue(name="tests.effect", payload={}, idempotency_key="k-outer")
        # On PostgreSQL a failed INSERT outside a savepoint would abort the whole transaction.
        job_enqueue(name="tests.effect", payload={}, idempotency_key="k-outer-2")
    assert Job.objects.count() == 2


@pytest.mark.django_db
def test_same_key_for_a_different_job_is_a_conflict():
    with transaction.atomic():
        job_enqueue(name="tests.effect", payload={"dossier": 1}, idempotency_key="k-conflict")
    with pytest.raises(IdempotencyConflict), transaction.atomic():
        job_enqueue(name="tests.effect", payload={"dossier": 2}, idempotency_key="k-conflict")
    with pytest.raises(IdempotencyConflict), transaction.atomic():
        job_enqueue(name="tests.external", payload={"dossier": 1}, idempotency_key="k-conflict")


@pytest.mark.django_db
def test_unknown_handler_and_bad_payload_are_refused_at_enqueue():
    with pytest.raises(UnknownJobHandler), transaction.atomic():
        job_enqueue(name="tests.no_such_handler", payload={}, idempotency_key="k-unknown")
    with pytest.raises(TypeError), transaction.atomic():
        job_enqueue(name="tests.effect", payload={"when": object()}, idempotency_key="k-json")
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_run_after_delays_the_job(deliver_due, time_machine):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    with transaction.atomic():
        job, _ = job_enqueue(
            name="tests.effect", payload={}, idempotency_key="k-later", run_after=now + dt.timedelta(hours=1)
        )

    assert deliver_due() == []
    time_machine.move_to(now + dt.timedelta(minutes=59), tick=False)
    assert deliver_due() == []
    time_machine.move_to(now + dt.timedelta(hours=1, seconds=1), tick=False)
    assert deliver_due() == ["done"]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


@pytest.mark.django_db
def test_enqueue_many_inserts_a_few_jobs_in_one_savepoint(deliver_due, django_assert_num_queries):
    """``job_enqueue_many``: one savepoint and one precompiled INSERT per job for a handful of jobs."""
    later = timezone.now() + dt.timedelta(hours=1)
    requests = [
        JobRequest(name="tests.effect", payload={"n": (1,)}, idempotency_key="k-many-1"),
        JobRequest(name="tests.effect", payload={"n": [2]}, idempotency_key="k-many-2", run_after=later),
    ]
    with transaction.atomic(), django_assert_num_queries(4):  # savepoint, 2 jobs, release
        result = job_enqueue_many(requests)
    assert [created for _, created in result] == [True, True]
    jobs = [job for job, _ in result]
    assert all(job.pk for job in jobs)
    assert [Job.objects.get(pk=job.pk).payload for job in jobs] == [{"n": [1]}, {"n": [2]}]
    assert Job.objects.get(pk=jobs[1].pk).run_after == later
    assert deliver_due() == ["done"]  # only the first is due
    assert handlers.CALLS == [("tests.effect", "k-many-1", 1)]


@pytest.mark.django_db
def test_enqueue_many_inserts_many_jobs_in_one_statement(deliver_due, django_assert_num_queries):
    requests = [
        JobRequest(name="tests.effect", payload={"n": n}, idempotency_key=f"k-bulk-{n}") for n in range(10)
    ]
    with transaction.atomic(), django_assert_num_queries(3):  # savepoint, the jobs, release
        result = job_enqueue_many(requests)
    assert all(created and job.pk for job, created in result)
    assert sorted(Job.objects.values_list("payload__n", flat=True)) == list(range(10))
    assert sorted(deliver_due()) == ["done"] * 10


@pytest.mark.django_db
def test_enqueue_many_with_a_taken_key_enqueues_only_the_new_ones():
    with transaction.atomic():
        first, _ = job_enqueue(name="tests.effect", payload={"n": 1}, idempotency_key="k-taken")
    with transaction.atomic():
        result = job_enqueue_many(
            [
                JobRequest(name="tests.effect", payload={"n": 1}, idempotency_key="k-taken"),
                JobRequest(name="tests.effect", payload={"n": 2}, idempotency_key="k-fresh"),
            ]
        )
    assert [(job.idempotency_key, created) for job, created in result] == [
        ("k-taken", False),
        ("k-fresh", True),
    ]
    assert result[0][0].pk == first.pk
    assert Job.objects.count() == 2
    with transaction.atomic(), pytest.raises(IdempotencyConflict):
        job_enqueue_many([JobRequest(name="tests.effect", payload={"n": 3}, idempotency_key="k-taken")])


@pytest.mark.django_db(transaction=True)
def test_enqueue_many_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        job_enqueue_many([JobRequest(name="tests.effect", payload={}, idempotency_key="k-auto")])
    assert Job.objects.count() == 0
