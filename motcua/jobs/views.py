"""``/healthz/jobs``: the job queue's health for monitoring (``health.py``)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from motcua.jobs.health import queue_health


@never_cache
@require_GET
def jobs_health(request: HttpRequest) -> JsonResponse:
    """200 while due jobs are being taken; 503 when the oldest has waited past the alert threshold.

    Figures only (counts and seconds): no job names, payloads or errors, which may hold personal data.
    """
    health = queue_health()
    body = {
        "status": "stale" if health.stale else "ok",
        "due_jobs": health.due,
        "oldest_due_job_seconds": health.oldest_due_seconds,
        "alert_after_seconds": health.alert_after_seconds,
        "dead_jobs_last_24h": health.dead_last_day,
    }
    return JsonResponse(body, status=503 if health.stale else 200)
