"""The outbox row of a background job — công việc nền.

One ``Job`` row is written in the same transaction as the state change that wants it (transactional
outbox, docs/architecture.md). The row is the source of truth for the job: its handler name and JSON payload,
its idempotency key (unique — the same key is never enqueued twice), how many attempts it has had,
when the next one may start, and whether it completed or died. django-q2 only carries *deliveries*
("run job N with token T") through its ORM queue table; see ``motcua/jobs/README.md``.
"""

from __future__ import annotations

from django.db import models

from motcua.jobs.registry import NAME_MAX_LENGTH


class JobStatus(models.TextChoices):
    """Where a job is in its life."""

    PENDING = "pending", "Chờ chạy"
    RUNNING = "running", "Đang chạy"
    DONE = "done", "Đã xong"
    DEAD = "dead", "Thất bại (hết lượt thử)"


class Job(models.Model):
    """A background job and its completion record — công việc nền."""

    # Few indexes on purpose: every dossier event inserts one job per subscriber (two today). The worker
    # finds due jobs through (status, run_after); a duplicate key through the unique constraint.
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
    run_after = models.DateTimeField("chạy từ")
    # Fencing token: only the delivery carrying this token may run the job. A retry gets a new token,
    # so a late duplicate of an older delivery (e.g. the lease re-delivery of a timed-out attempt)
    # is recognised and dropped instead of running the job a second time.
    delivery_token = models.CharField("mã lượt giao", max_length=32)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu lần chạy gần nhất", null=True, blank=True)
    finished_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "công việc nền"
        verbose_name_plural = "công việc nền"
        indexes = [models.Index(fields=["status", "run_after"], name="jobs_job_status_run_after")]
        # A constraint rather than unique=True, which on PostgreSQL adds an unused LIKE-pattern index.
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="job_unique_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.name} [{self.idempotency_key}] — {self.get_status_display()}"
