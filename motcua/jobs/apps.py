from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "motcua.jobs"
    label = "jobs"
    verbose_name = "Hàng đợi công việc"

    def ready(self) -> None:
        # Handlers register themselves on import. Importing every app's ``job_handlers`` module here
        # makes the registry the same in web processes (which check names at enqueue) and workers.
        autodiscover_modules("job_handlers")
        # Queue depth, oldest due job, dead letters: read from the table at each scrape of /metrics.
        from motcua.core.metrics import metrics_collector_register
        from motcua.jobs.metrics import jobs_metrics

        metrics_collector_register("jobs", jobs_metrics)
