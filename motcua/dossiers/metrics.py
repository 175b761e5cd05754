"""Overdue dossiers per unit for Prometheus, counted at each scrape (``core.metrics``).

Overdue: open, the statutory clock running (``CLOCK_RUNNING_STATES``; a dossier waiting for the
applicant is not the unit's delay) and ``due_at`` past — the same rule as the queues' "quá hạn" badge.
Grouped by the unit that holds the dossier now (``current_unit``), which the partial index
``dossier_open_unit_due_id`` (open dossiers by unit and due time) answers without reading closed ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from motcua.dossiers.models import CLOCK_RUNNING_STATES, Dossier
from motcua.org.models import Unit


def overdue_metrics() -> Iterable[Metric]:
    """``motcua_dossiers_overdue{unit, unit_name}``: units with none are not listed."""
    counts = dict(
        Dossier.objects.filter(is_open=True, state__in=CLOCK_RUNNING_STATES, due_at__lt=timezone.now())
        .values_list("current_unit")
        .annotate(n=Count("id"))
        .order_by()
    )
    overdue = GaugeMetricFamily(
        "motcua_dossiers_overdue",
        "Hồ sơ đang giải quyết đã quá hạn, theo đơn vị đang giữ hồ sơ",
        labels=["unit", "unit_name"],
    )
    units = Unit.objects.filter(pk__in=counts).values_list("pk", "slug", "name")
    for pk, slug, name in sorted(units, key=lambda unit: unit[1] or str(unit[0])):
        overdue.add_metric([slug or str(pk), name], counts[pk])
    yield overdue
