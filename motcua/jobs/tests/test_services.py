"""job_enqueue: the outbox commits and rolls back with the caller; keys are enqueued once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from django_q.models import OrmQ

from motcua.jobs.models import Job, JobStatus
from motcua.jobs.services import IdempotencyConflict, UnknownJobHandler, job_enqueue
from motcua.jobs.tests import handlers


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_leaves_no_job_and_no_delivery():
    def change_then_fail() -> None:
        with transaction.atomic():
            job_enqueue(name="tests.effect", payload={"n": 1}, idempotency_key="k-rollback")
            assert Job.objects.count() == 1  # visible inside the transaction…
            raise Boom

    with pytest.raises(Boom):
        change_then_fail()

    assert Job.objects.count() == 0  # …and gone with it
    assert OrmQ.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_committed_transaction_has_job_and_its_delivery():
    with transaction.atomic():
        job, created = job_enqueue(name="tests.effect", payload={"n": 1}, idempotency_key="k-commit")

    assert created
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    assert job.payload == {"n": 1}
    assert job.attempts == 0
    assert job.max_attempts == 8  # MOTCUA_JOBS default; tests.effect sets none
    assert OrmQ.objects.count() == 1


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
    assert OrmQ.objects.count() == 1
    assert deliver_due() == ["done"]
    # Even after completion the key is still taken: enqueuing it again does nothing.
    with transaction.atomic():
        _, created_again = job_enqueue(name="tests.effect", payload={"a": [1]}, idempotency_key="k-dup")
    assert not created_again
    assert OrmQ.objects.count() == 0
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
def test_run_after_delays_the_delivery(deliver_due, time_machine):
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
