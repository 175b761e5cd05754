"""``motcua purge-personal-data``: what is past retention goes, in batches; legal records stay."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

from axes.models import AccessAttempt
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from motcua.assistant.models import Conversation, QuestionLog
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import World, dossier_at
from motcua.jobs.models import Job, JobStatus
from motcua.jobs.periodic import periodic_schedules
from motcua.privacy.job_handlers import PURGE_JOB
from motcua.privacy.models import PersonalDataAccess
from motcua.privacy.registry import batch_delete


def _old_and_new(world: World, settings: Any) -> None:
    now = timezone.now()
    d = dossier_at(world, "received")
    for days in (settings.MOTCUA_RETENTION_ACCESS_LOG_DAYS + 1, 1):
        PersonalDataAccess.objects.create(
            official=world.lan,
            official_name="Lan",
            what="Xem hồ sơ",
            dossier=d,
            dossier_code=d.code,
            at=now - timedelta(days=days),
        )
    for days in (settings.MOTCUA_RETENTION_JOBS_DAYS + 1, 1):
        Job.objects.create(
            name="notifications.sms",
            payload={"phone": "0912345678"},
            idempotency_key=f"test-{days}",
            status=JobStatus.DONE,
            max_attempts=1,
            run_after=now,
            finished_at=now - timedelta(days=days),
        )
    Job.objects.create(
        name="notifications.sms",
        payload={},
        idempotency_key="test-pending",
        status=JobStatus.PENDING,
        max_attempts=1,
        run_after=now - timedelta(days=400),
    )
    for days in (settings.MOTCUA_RETENTION_LOGIN_ATTEMPTS_DAYS + 1, 1):
        attempt = AccessAttempt.objects.create(
            username=f"u{days}",
            ip_address="10.0.0.1",
            user_agent="t",
            get_data="",
            post_data="",
            failures_since_start=1,
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=now - timedelta(days=days))
    store = SessionStore()
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=now - timedelta(seconds=1))
    SessionStore().create()
    Conversation.objects.create(id="x" * 43, created_at=now, expires_at=now - timedelta(minutes=1))
    Conversation.objects.create(id="y" * 43, created_at=now, expires_at=now + timedelta(minutes=10))
    for days in (settings.MOTCUA_RETENTION_ASSISTANT_QUESTIONS_DAYS + 1, 1):
        QuestionLog.objects.create(
            normalized=f"q{days}",
            text="số tôi 0912345678",
            reason="none",
            first_seen=now,
            last_seen=now - timedelta(days=days),
        )


def test_dry_run_counts_then_the_purge_deletes_only_what_is_past_retention(
    world: World, settings: Any
) -> None:
    _old_and_new(world, settings)
    dossiers, events = Dossier.objects.count(), DossierEvent.objects.count()
    before = {
        model: model.objects.count()
        for model in (PersonalDataAccess, Job, AccessAttempt, Session, Conversation, QuestionLog)
    }
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "privacy.access_log: Sẽ xóa 1 (Nhật ký truy cập dữ liệu cá nhân; giữ 730 ngày)" in text
    assert "jobs.finished: Sẽ xóa 1" in text
    assert "signin.attempts: Sẽ xóa 1" in text
    assert "sessions.expired: Sẽ xóa 1" in text
    assert "assistant.conversations: Sẽ xóa 1" in text
    assert "Tổng: sẽ xóa 6 bản ghi." in text
    assert {model: model.objects.count() for model in before} == before

    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "Tổng: đã xóa 6 bản ghi." in out.getvalue()
    assert {model: model.objects.count() for model in before} == {model: n - 1 for model, n in before.items()}
    assert Job.objects.filter(idempotency_key="test-pending").exists()  # work still to do stays
    # Submitted dossiers and their audit events are legal records: never purged.
    assert (Dossier.objects.count(), DossierEvent.objects.count()) == (dossiers, events)


def test_batches_delete_everything_whatever_the_batch_size(world: World) -> None:
    now = timezone.now()
    for _ in range(5):
        PersonalDataAccess.objects.create(official=world.lan, official_name="Lan", what="x", at=now)
    assert batch_delete(PersonalDataAccess.objects.all(), dry_run=False, batch_size=2) == 5
    assert not PersonalDataAccess.objects.exists()


def test_the_purge_runs_daily_as_a_periodic_job() -> None:
    schedule = next(s for s in periodic_schedules() if s.name == PURGE_JOB)
    assert schedule.at is not None
    assert schedule.every is None


def test_kept_jobs_lose_the_applicants_data_but_stay_as_a_record(settings: Any, db: None) -> None:
    from motcua.nationalportal.subscribers import DOSSIER_SYNC

    now = timezone.now()
    payload = {
        "dossier_id": 7,
        "code": "X-1",
        "event_seq": 1,
        "kind": "receive",
        "status": 2,
        "snapshot": {"data": {"ChuHoSo": "Nguyễn Văn An", "SoCMND": "022090001234"}},
    }
    job = Job.objects.create(
        name=DOSSIER_SYNC,
        payload=payload,
        status=JobStatus.DONE,
        max_attempts=1,
        idempotency_key="sync-1",
        run_after=now,
        finished_at=now - timedelta(days=settings.MOTCUA_RETENTION_JOBS_DAYS + 1),
    )
    call_command("purge_personal_data", stdout=StringIO())
    job.refresh_from_db()
    assert job.payload == {"dossier_id": 7, "code": "X-1", "event_seq": 1, "kind": "receive", "status": 2}
