"""This app's part of the export and the purge: the access log itself, sessions, sign-in attempts, jobs.

Platform tables below every app that hold personal data as a by-product: expired sessions (the account
id), django-axes' records of sign-in attempts (user name, IP address, browser), and the job queue's
finished jobs (a notification job's payload holds the phone number and the message).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Q, QuerySet

from motcua.jobs.models import Job, JobStatus
from motcua.privacy.models import PersonalDataAccess
from motcua.privacy.registry import (
    BATCH_SIZE,
    Subject,
    batch_delete,
    export_section,
    kept_job_names,
    retention_rule,
)
from motcua.privacy.selectors import personal_data_accesses_export


def _before(now: datetime, setting: str) -> datetime:
    return now - timedelta(days=int(getattr(settings, setting)))


@export_section("access_log")
def access_log_export(subject: Subject) -> list[dict[str, Any]]:
    return personal_data_accesses_export(account=subject.account, id_number=subject.id_number)


@retention_rule(
    "privacy.access_log",
    label="Nhật ký truy cập dữ liệu cá nhân",
    setting="MOTCUA_RETENTION_ACCESS_LOG_DAYS",
)
def access_log_purge(*, now: datetime, dry_run: bool) -> int:
    old = PersonalDataAccess.objects.filter(at__lt=_before(now, "MOTCUA_RETENTION_ACCESS_LOG_DAYS"))
    return batch_delete(old, dry_run=dry_run)


@retention_rule("sessions.expired", label="Phiên đăng nhập đã hết hạn")
def sessions_purge(*, now: datetime, dry_run: bool) -> int:
    # Django's own clearsessions, in batches and counted.
    return batch_delete(Session.objects.filter(expire_date__lt=now), dry_run=dry_run)


@retention_rule(
    "signin.attempts",
    label="Lượt đăng nhập của cán bộ (django-axes: tên đăng nhập, địa chỉ IP)",
    setting="MOTCUA_RETENTION_LOGIN_ATTEMPTS_DAYS",
)
def login_attempts_purge(*, now: datetime, dry_run: bool) -> int:
    # Far older than any lockout's cool-off (minutes), so no lock is released early.
    before = _before(now, "MOTCUA_RETENTION_LOGIN_ATTEMPTS_DAYS")
    return sum(
        batch_delete(model.objects.filter(attempt_time__lt=before), dry_run=dry_run)
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    )


@retention_rule(
    "jobs.finished",
    label="Công việc nền đã xong hoặc thất bại (nội dung gửi, số điện thoại)",
    setting="MOTCUA_RETENTION_JOBS_DAYS",
)
def jobs_purge(*, now: datetime, dry_run: bool) -> int:
    # Only finished jobs: a pending or running one is work still to do. A dead job is kept as long, for
    # the admin's «run again» — past that the message it carried is of no use to anyone. Jobs an app
    # declared a record (``registry.jobs_kept``) stay.
    old = Job.objects.filter(
        status__in=(JobStatus.DONE, JobStatus.DEAD),
        finished_at__lt=_before(now, "MOTCUA_RETENTION_JOBS_DAYS"),
    )
    kept = sorted(kept_job_names())
    return batch_delete(old.exclude(name__in=kept), dry_run=dry_run) + _kept_jobs_slim(
        old.filter(name__in=kept), dry_run=dry_run
    )


# What a kept job's payload keeps: which dossier event it was about, nothing about the applicant.
_KEPT_PAYLOAD_KEYS = ("dossier_id", "code", "event_seq", "kind", "status", "state")


def _kept_jobs_slim(jobs: QuerySet[Job], *, dry_run: bool) -> int:
    """Strip a kept job's payload to the event's reference: the snapshot sent (e.g. the DVCQG record
    with the applicant's name and number) and the event's data go, the record of the delivery stays."""
    jobs = jobs.filter(Q(payload__has_key="snapshot") | Q(payload__has_key="data"))
    if dry_run:
        return jobs.count()
    total = 0
    while batch := list(jobs.only("pk", "payload")[:BATCH_SIZE]):
        for job in batch:
            job.payload = {key: job.payload[key] for key in _KEPT_PAYLOAD_KEYS if key in job.payload}
        Job.objects.bulk_update(batch, ["payload"])
        total += len(batch)
    return total
