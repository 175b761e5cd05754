"""Admin for background jobs: dead jobs are found with the status filter and can be re-run."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.core.orm import concrete_fields
from motcua.jobs.models import Job, JobStatus
from motcua.jobs.services import job_retry_now


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "name",
        "idempotency_key",
        "status",
        "attempts",
        "max_attempts",
        "run_after",
        "finished_at",
    )
    list_filter = ("status", "name")
    # A request id (X-Request-ID, from a log line) finds the jobs that request enqueued.
    search_fields = ("idempotency_key", "name", "=request_id")
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    # Jobs change only through the outbox services and the worker; editing a row by hand could take
    # a running job from under its worker (status, lease and fencing token go together).
    readonly_fields = [field.name for field in concrete_fields(Job)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(permissions=["change"], description="Chạy lại ngay (công việc thất bại hoặc đang chờ)")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        retried = 0
        for job in queryset.filter(status__in=[JobStatus.DEAD, JobStatus.PENDING]):
            job_retry_now(job)
            retried += 1
        self.message_user(request, f"Đã xếp lịch chạy lại {retried} công việc.", messages.SUCCESS)
