"""The outbox row of a background job — công việc nền.

One ``Job`` row is written in the same transaction as the state change that wants it (transactional
outbox, docs/architecture.md). The row is the source of truth for the job: its handler name and JSON payload,
its idempotency key (unique — the same key is never enqueued twice), how many attempts it has had,
when the next one may start, and whether it completed or died. The table is also the queue: the
worker claims due rows from it in batches (``motcua/jobs/delivery.py``, ``motcua/jobs/README.md``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from motcua.jobs.registry import NAME_MAX_LENGTH


class JobStatus(models.TextChoices):
    """Where a job is in its life."""

    PENDING = "pending", "Chờ chạy"
    RUNNING = "running", "Đang chạy"
    DONE = "done", "Đã xong"
    DEAD = "dead", "Thất bại (hết lượt thử)"


# A job the worker may claim once its ``run_after`` is past (a running one: its lease ran out).
ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING)


class Job(models.Model):
    """A background job and its completion record — công việc nền."""

    # Few indexes on purpose: every dossier event inserts one job per subscriber (two today). The worker
    # finds due jobs through a partial index on run_after of the active rows only (done and dead jobs,
    # nearly all of the table, are not in it); a duplicate key through the unique constraint.
    name = models.CharField("tên xử lý", max_length=NAME_MAX_LENGTH)
    payload = models.JSONField("dữ liệu", default=dict)
    idempotency_key = models.CharField(
        "khoá chống trùng",
        max_length=200,
        help_text="Cùng một khoá chỉ tạo một công việc và chỉ được xử lý thành công một lần.",
    )
    status = models.CharField(
        "trạng thái", max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    attempts = models.PositiveIntegerField("số lần đã chạy", default=0)
    max_attempts = models.PositiveIntegerField("số lần chạy tối đa")
    # Pending: not before this time. Running: the lease — the claiming worker's hold ends then, and a
    # job still running after it lost its worker and is taken over.
    run_after = models.DateTimeField("chạy từ")
    # Fencing token: written by each claim. Only the worker holding it may complete, fail or release
    # the job, so a worker whose job was taken over (lease expired) cannot record a second outcome.
    delivery_token = models.CharField("mã lượt giao", max_length=32)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu lần chạy gần nhất", null=True, blank=True)
    finished_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    # The X-Request-ID of the request that enqueued the job (empty: a periodic job, a command): the
    # worker binds it while the job runs, so the job's log lines share the request's id (core.logcontext).
    # A column, not a key in the payload: the payload is compared on a duplicate enqueue (idempotency),
    # and the same event re-sent by another request must still match.
    request_id = models.CharField("mã yêu cầu", max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-id"]
        verbose_name = "công việc nền"
        verbose_name_plural = "công việc nền"
        indexes = [
            models.Index(
                fields=["run_after"],
                name="jobs_job_due",
                condition=Q(status__in=[JobStatus.PENDING, JobStatus.RUNNING]),
            ),
            # The dead letters, for /healthz/jobs and the metrics (dead in the last day, per name): few
            # rows (an admin re-runs them), written only when a job dies.
            models.Index(fields=["finished_at"], name="jobs_job_dead", condition=Q(status=JobStatus.DEAD)),
        ]
        # A constraint rather than unique=True, which on PostgreSQL adds an unused LIKE-pattern index.
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="job_unique_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.name} [{self.idempotency_key}] — {self.get_status_display()}"
