"""DVCQG sync lag for Prometheus, read from the sync jobs at each scrape (``core.metrics``).

A change reaches the national portal when its ``nationalportal.dossier_sync`` job is done. What is not
there yet is an active sync job — pending (maybe retrying after a refusal) or running — and the lag is
how long the oldest of them has existed. Dead sync jobs are changes DVCQG never received until an
admin re-runs them. Both queries read the job table's partial indexes (active jobs, dead jobs).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from motcua.jobs.models import ACTIVE_STATUSES, Job, JobStatus
from motcua.nationalportal.subscribers import DOSSIER_SYNC


def sync_metrics() -> Iterable[Metric]:
    """``motcua_dvcqg_sync_pending``, ``motcua_dvcqg_sync_lag_seconds``, ``motcua_dvcqg_sync_dead``."""
    now = timezone.now()
    active = Job.objects.filter(name=DOSSIER_SYNC, status__in=ACTIVE_STATUSES).aggregate(
        jobs=Count("id"), oldest=Min("created_at")
    )
    oldest: datetime | None = active["oldest"]
    dead = Job.objects.filter(name=DOSSIER_SYNC, status=JobStatus.DEAD).count()
    yield GaugeMetricFamily(
        "motcua_dvcqg_sync_pending", "Thay đổi hồ sơ chưa đồng bộ lên Cổng DVCQG", value=active["jobs"]
    )
    yield GaugeMetricFamily(
        "motcua_dvcqg_sync_lag_seconds",
        "Thay đổi hồ sơ cũ nhất chưa đồng bộ lên Cổng DVCQG đã chờ bao lâu (giây); 0 khi đã đồng bộ hết",
        value=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
    )
    yield GaugeMetricFamily(
        "motcua_dvcqg_sync_dead",
        "Thay đổi hồ sơ không đồng bộ được lên Cổng DVCQG (hết lượt thử), chờ quản trị chạy lại",
        value=dead,
    )
