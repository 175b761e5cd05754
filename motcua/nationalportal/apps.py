from __future__ import annotations

from django.apps import AppConfig


class NationalPortalConfig(AppConfig):
    """National Public Service Portal — Cổng Dịch vụ công quốc gia (DVCQG): a subscriber of dossier events."""

    name = "motcua.nationalportal"
    label = "nationalportal"
    verbose_name = "Cổng Dịch vụ công quốc gia"

    def ready(self) -> None:
        # DVCQG sync lag: read from the sync jobs at each scrape of /metrics.
        from motcua.core.metrics import metrics_collector_register
        from motcua.nationalportal.metrics import sync_metrics

        metrics_collector_register("nationalportal", sync_metrics)
