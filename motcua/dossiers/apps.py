from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ"

    def ready(self) -> None:
        # Extensions declare their subscribers in their own ``subscribers`` module (``events``); the
        # engine imports none of them by name. Loading them here makes the subscriber list the same in
        # web processes (which enqueue) and job workers (which run).
        autodiscover_modules("subscribers")
        # Overdue dossiers per unit: counted at each scrape of /metrics.
        from motcua.core.metrics import metrics_collector_register
        from motcua.dossiers.metrics import overdue_metrics

        metrics_collector_register("dossiers", overdue_metrics)
