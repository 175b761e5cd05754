"""The job queue's figures for Prometheus, read from the job table at each scrape (``core.metrics``).

Every query reads a partial index: the active jobs (``jobs_job_due``: pending and running, a few rows
however large the table of done jobs grows) or the dead ones (``jobs_job_dead``). Figures only — no
payload, no error text (they may hold personal data).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q
from prometheus_client.core import GaugeMetricFamily, Metric

from motcua.jobs.health import queue_health
from motcua.jobs.models import ACTIVE_STATUSES, Job, JobStatus


def jobs_metrics() -> Iterable[Metric]:
    """``motcua_jobs{name,status}``, retrying, due, oldest due age, dead (all and last 24 h)."""
    depth = GaugeMetricFamily(
        "motcua_jobs", "Công việc nền đang chờ hoặc đang chạy, theo tên xử lý", labels=["name", "status"]
    )
    retrying = GaugeMetricFamily(
        "motcua_jobs_retrying",
        "Công việc nền chờ chạy lại sau một lần thất bại, theo tên xử lý",
        labels=["name"],
    )
    rows = (
        Job.objects.filter(status__in=ACTIVE_STATUSES)
        .values("name", "status")
        .annotate(jobs=Count("id"), failed=Count("id", filter=Q(attempts__gt=0, status=JobStatus.PENDING)))
        .order_by("name", "status")
    )
    failed_by_name: dict[str, int] = {}
    for row in rows:
        depth.add_metric([row["name"], row["status"]], row["jobs"])
        failed_by_name[row["name"]] = failed_by_name.get(row["name"], 0) + row["failed"]
    for name, failed in sorted(failed_by_name.items()):
        retrying.add_metric([name], failed)
    dead = GaugeMetricFamily(
        "motcua_jobs_dead",
        "Công việc nền thất bại hẳn (hết lượt thử), chờ quản trị xử lý, theo tên xử lý",
        labels=["name"],
    )
    for row in (
        Job.objects.filter(status=JobStatus.DEAD).values("name").annotate(jobs=Count("id")).order_by("name")
    ):
        dead.add_metric([row["name"]], row["jobs"])
    health = queue_health()
    yield depth
    yield retrying
    yield dead
    yield GaugeMetricFamily(
        "motcua_jobs_due",
        "Công việc nền đã đến giờ chạy mà chưa xong (chờ hoặc quá hạn thuê)",
        value=health.due,
    )
    yield GaugeMetricFamily(
        "motcua_jobs_oldest_due_age_seconds",
        "Công việc nền đến hạn lâu nhất đã chờ bao lâu (giây); 0 khi không có",
        value=health.oldest_due_seconds,
    )
    yield GaugeMetricFamily(
        "motcua_jobs_dead_last_day", "Công việc nền thất bại hẳn trong 24 giờ qua", value=health.dead_last_day
    )
