"""Officials' daily digest: a periodic job at 07:00 on working days, through the real job delivery."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.core import mail

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at, vn
from motcua.jobs import delivery
from motcua.jobs.models import Job
from motcua.jobs.periodic import periodic_enqueue_due, periodic_seen_clear
from motcua.notifications.job_handlers import OFFICIALS_DIGEST


@pytest.fixture(autouse=True)
def _fresh_periods() -> Iterator[None]:
    periodic_seen_clear()
    yield
    periodic_seen_clear()


def _dossiers(world: World) -> tuple[Dossier, Dossier]:
    """Two dossiers with Minh at appraisal: received Monday 9:00 (due Thursday 9:00), Tuesday (Friday)."""
    with time_machine.travel(MONDAY_0900, tick=False):
        first = dossier_at(world, "appraisal")
    with time_machine.travel(vn(2026, 3, 3, 9), tick=False):
        second = dossier_at(world, "appraisal")
    mail.outbox.clear()
    return first, second


def _digest_at(when: datetime) -> list[str]:
    with time_machine.travel(when, tick=False):
        periodic_enqueue_due()
        return delivery.jobs_run_due(
            job_ids=list(Job.objects.filter(name=OFFICIALS_DIGEST).values_list("pk", flat=True))
        )


def _digests_enqueued() -> list[str]:
    # Other apps' daily jobs (data-store renewal scan, draft expiry) fall due earlier in the day.
    return [key for key in periodic_enqueue_due() if key.startswith(f"periodic:{OFFICIALS_DIGEST}:")]


def test_thursday_lists_the_dossier_due_today(world: World, settings: Any) -> None:
    first, second = _dossiers(world)
    assert _digest_at(vn(2026, 3, 5, 7, 0)) == ["done"]
    (message,) = mail.outbox  # only Minh has dossiers due: nobody else gets an empty digest
    assert message.to == [world.minh.email]
    assert message.subject == "Hồ sơ cần xử lý ngày 05/03/2026: 0 quá hạn, 1 sắp đến hạn"
    assert "ĐẾN HẠN TRONG MỘT NGÀY LÀM VIỆC" in message.body
    assert first.code in message.body
    assert second.code not in message.body
    assert f"/can-bo/ho-so/{first.code}/" in message.body


def test_friday_lists_overdue_and_due_soon(world: World) -> None:
    first, second = _dossiers(world)
    assert _digest_at(vn(2026, 3, 6, 7, 0)) == ["done"]
    (message,) = mail.outbox
    assert message.subject == "Hồ sơ cần xử lý ngày 06/03/2026: 1 quá hạn, 1 sắp đến hạn"
    overdue_part, soon_part = message.body.split("ĐẾN HẠN TRONG MỘT NGÀY LÀM VIỆC")
    assert "QUÁ HẠN" in overdue_part
    assert first.code in overdue_part
    assert second.code in soon_part


def test_before_seven_nothing_and_a_weekend_sends_nothing(world: World) -> None:
    _dossiers(world)
    with time_machine.travel(vn(2026, 3, 6, 6, 59), tick=False):
        assert _digests_enqueued() == []
    assert _digest_at(vn(2026, 3, 7, 7, 30)) == ["done"]  # Saturday
    assert mail.outbox == []


def test_once_per_day_across_workers_and_retries(world: World) -> None:
    _dossiers(world)
    when = vn(2026, 3, 5, 7, 0)
    _digest_at(when)
    # Another worker (or this one restarted) looks again the same day: the day's job exists already.
    periodic_seen_clear()
    with time_machine.travel(vn(2026, 3, 5, 15, 0), tick=False):
        assert _digests_enqueued() == []
    assert Job.objects.filter(name=OFFICIALS_DIGEST).count() == 1
    # The job itself run again (its completion lost): each official's digest was already sent.
    from motcua.jobs.registry import JobContext, get_handler

    job = Job.objects.get(name=OFFICIALS_DIGEST)
    with time_machine.travel(when, tick=False):
        get_handler(OFFICIALS_DIGEST).func(
            JobContext(
                job_id=job.pk,
                name=job.name,
                payload=job.payload,
                idempotency_key=job.idempotency_key,
                attempt=2,
            )
        )
    assert len(mail.outbox) == 1
