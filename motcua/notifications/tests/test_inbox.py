"""The applicant's notification inbox, filled by the ``applicant_inbox`` subscriber."""

from __future__ import annotations

import pytest

from motcua.accounts.tests.factories import AccountFactory
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World, dossier_at, dossier_receive_at_counter
from motcua.jobs import delivery
from motcua.jobs.models import Job, JobStatus
from motcua.jobs.registry import JobContext, get_handler
from motcua.notifications.models import InboxNotification
from motcua.notifications.selectors import inbox_list, inbox_unread_count
from motcua.notifications.services import inbox_mark_read
from motcua.notifications.subscribers import APPLICANT_INBOX


def _deliver(d: Dossier) -> None:
    ids = list(
        Job.objects.filter(
            name=APPLICANT_INBOX, payload__dossier_id=d.pk, status=JobStatus.PENDING
        ).values_list("pk", flat=True)
    )
    assert delivery.jobs_run_due(job_ids=ids) == ["done"] * len(ids)


def test_applicant_visible_events_fill_the_inbox_once(world: World) -> None:
    d = dossier_at(world, "appraisal")  # received (visible), then forwarded and claimed (internal)
    _deliver(d)
    (entry,) = inbox_list(account=world.an)
    assert entry.title == f"Hồ sơ {d.code} đã được tiếp nhận"
    assert entry.link == f"/ho-so-cua-toi/{d.code}"
    assert entry.read_at is None
    # A retried job (its completion lost) adds nothing.
    job = Job.objects.get(name=APPLICANT_INBOX, payload__dossier_id=d.pk)
    context = JobContext(
        job_id=job.pk, name=job.name, payload=job.payload, idempotency_key=job.idempotency_key, attempt=2
    )
    get_handler(APPLICANT_INBOX).func(context)
    assert InboxNotification.objects.filter(dossier=d).count() == 1


def test_a_dossier_without_an_account_files_nothing(world: World) -> None:
    d = dossier_receive_at_counter(world, applicant_user=None)
    assert not Job.objects.filter(name=APPLICANT_INBOX, payload__dossier_id=d.pk).exists()


def test_mark_read_touches_only_the_owners_entries(world: World) -> None:
    d = dossier_at(world, "received")
    _deliver(d)
    (entry,) = inbox_list(account=world.an)
    stranger = AccountFactory.create(citizen=True)
    assert inbox_mark_read(account=stranger, notification_id=entry.pk) == 0
    assert inbox_unread_count(account=world.an) == 1
    assert inbox_mark_read(account=world.an, notification_id=entry.pk) == 1
    assert inbox_unread_count(account=world.an) == 0


@pytest.fixture(autouse=True)
def _db(db: None) -> None:
    return None
