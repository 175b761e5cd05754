"""Domain events and their subscribers: one job per subscriber, each retried and dead-lettered alone."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from motcua.dossiers import events, rules, services
from motcua.dossiers.events import EventDelivery, EventKind, RecordedEvent, dossier_subscriber
from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.tests.factories import World, dossier_at
from motcua.jobs import delivery, registry
from motcua.jobs.models import Job, JobStatus
from motcua.nationalportal.subscribers import DOSSIER_SYNC
from motcua.notifications.subscribers import APPLICANT_EMAIL, APPLICANT_INBOX
from motcua.reports.subscribers import AGGREGATES

received: list[EventDelivery] = []


@pytest.fixture
def test_subscribers() -> Iterator[None]:
    """Register two test subscribers to supplement requests (one always fails); forget them after."""
    saved = (dict(events._subscribers), dict(registry._registry))

    @dossier_subscriber("tests.records", kinds={EventKind.REQUEST_SUPPLEMENT}, atomic=True)
    def records(event: EventDelivery) -> None:
        received.append(event)

    @dossier_subscriber("tests.fails", kinds={EventKind.REQUEST_SUPPLEMENT}, max_attempts=2)
    def fails(event: EventDelivery) -> None:
        raise ConnectionError("hệ thống ngoài không phản hồi")

    received.clear()
    yield
    events._subscribers.clear()
    events._subscribers.update(saved[0])
    events._by_kind.clear()
    registry._registry.clear()
    registry._registry.update(saved[1])


def _request_supplement(world: World) -> Dossier:
    d = dossier_at(world, "appraisal")
    return services.dossier_request_supplement(
        actor=world.minh, dossier=d, row_version=d.row_version, items=["Tờ khai"], reason="Thiếu"
    )


def _run(job: Job) -> str:
    """Run ``job`` through the worker's claim loop, its backoff (if it is waiting for a retry) passed."""
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    (outcome,) = delivery.jobs_run_due(job_ids=[job.pk])
    return outcome


def test_every_action_and_both_receipts_are_event_kinds() -> None:
    assert {str(a) for a in rules.Action} | {"submit", "receive", "upload_result_draft", "fees_paid"} == {
        str(k) for k in EventKind
    }


def test_the_first_subscribers_register_from_their_own_apps() -> None:
    names = {sub.name for sub in events.subscribers_all()}
    assert {APPLICANT_EMAIL, DOSSIER_SYNC} <= names
    assert events.subscribers_for(EventKind.CLAIM) == ()  # internal hand-outs tell nobody


@pytest.mark.usefixtures("test_subscribers")
def test_one_job_per_subscriber_and_a_failing_one_does_not_affect_the_others(world: World) -> None:
    d = _request_supplement(world)
    seq = d.event_count
    jobs = {job.name: job for job in Job.objects.filter(payload__dossier_id=d.pk, payload__event_seq=seq)}
    assert set(jobs) == {
        APPLICANT_EMAIL,
        APPLICANT_INBOX,
        DOSSIER_SYNC,
        AGGREGATES,
        "tests.records",
        "tests.fails",
    }
    assert jobs["tests.fails"].idempotency_key == f"tests.fails:{d.pk}:{seq}"

    assert _run(jobs["tests.fails"]) != "done"
    assert _run(jobs["tests.records"]) == "done"
    (event,) = received
    assert (event.code, event.seq, event.kind) == (d.code, seq, EventKind.REQUEST_SUPPLEMENT)
    assert event.data["items"] == [{"name": "Tờ khai", "note": ""}]
    assert event.reason == "Thiếu"
    assert event.status == 5

    failing = Job.objects.get(pk=jobs["tests.fails"].pk)
    assert (failing.status, failing.attempts) == (JobStatus.PENDING, 1)
    assert "không phản hồi" in failing.last_error
    _run(failing)
    failing.refresh_from_db()
    assert failing.status == JobStatus.DEAD  # dead-lettered after its own max_attempts
    assert Job.objects.get(pk=jobs["tests.records"].pk).status == JobStatus.DONE
    assert Dossier.objects.get(pk=d.pk).state == DossierState.SUPPLEMENT_REQUESTED


def test_a_failing_snapshot_commits_the_change_and_dead_letters_that_subscriber(
    world: World, monkeypatch: Any
) -> None:
    sync = events._subscribers[DOSSIER_SYNC]

    def broken(recorded: RecordedEvent) -> dict[str, Any]:
        raise ValueError("không dựng được dữ liệu")

    monkeypatch.setitem(events._subscribers, DOSSIER_SYNC, dataclasses.replace(sync, snapshot=broken))
    events._by_kind.clear()
    try:
        d = _request_supplement(world)
    finally:
        events._by_kind.clear()
    assert Dossier.objects.get(pk=d.pk).state == DossierState.SUPPLEMENT_REQUESTED
    job = Job.objects.get(name=DOSSIER_SYNC, payload__dossier_id=d.pk, payload__event_seq=d.event_count)
    assert job.payload["snapshot_failed"] is True
    _run(job)
    job.refresh_from_db()
    assert "không lấy được" in job.last_error
    email = Job.objects.get(name=APPLICANT_EMAIL, payload__dossier_id=d.pk, payload__event_seq=d.event_count)
    assert _run(email) == "done"


def test_a_decision_with_signing_after_it_does_not_mail_the_applicant(world: World) -> None:
    d = dossier_at(world, "approval")
    d = services.dossier_approve(actor=world.hung, dossier=d, row_version=d.row_version)
    names = set(
        Job.objects.filter(payload__dossier_id=d.pk, payload__event_seq=d.event_count).values_list(
            "name", flat=True
        )
    )
    assert d.state == DossierState.PROCESSING  # the signing step follows
    assert names == {DOSSIER_SYNC, AGGREGATES}


def test_a_failing_when_filter_enqueues_the_job_marked_failed(world: World, monkeypatch: Any) -> None:
    email = events._subscribers[APPLICANT_EMAIL]

    def broken(recorded: RecordedEvent) -> bool:
        raise KeyError("to_state")

    monkeypatch.setitem(events._subscribers, APPLICANT_EMAIL, dataclasses.replace(email, when=broken))
    events._by_kind.clear()
    try:
        d = _request_supplement(world)
    finally:
        events._by_kind.clear()
    assert Dossier.objects.get(pk=d.pk).state == DossierState.SUPPLEMENT_REQUESTED
    job = Job.objects.get(name=APPLICANT_EMAIL, payload__dossier_id=d.pk, payload__event_seq=d.event_count)
    assert job.payload["snapshot_failed"] is True
    assert _run(job) != "done"
