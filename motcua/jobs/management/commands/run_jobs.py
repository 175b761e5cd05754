"""``motcua run-jobs``: start the background-job worker (a django-q2 cluster on the ORM broker).

A thin wrapper so deployments and ``make`` name *our* command, not the library's: it checks the
configuration that the outbox relies on, imports extra handler modules, logs the registered
handlers, then runs django-q2's cluster (as its ``qcluster`` command does) until SIGTERM/SIGINT, which
releases the jobs in hand so that the stop takes seconds (``motcua/jobs/stopping.py``).
"""

from __future__ import annotations

import importlib
import logging
import signal
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_q.cluster import Cluster

from motcua.jobs import stopping
from motcua.jobs.registry import registered_names

logger = logging.getLogger("motcua.jobs")


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý công việc nền (django-q2 cluster)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--import",
            dest="modules",
            action="append",
            default=[],
            metavar="MODULE",
            help="Also import this module for its @job_handler functions (besides apps' job_handlers.py).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cluster = getattr(settings, "Q_CLUSTER", {})
        if not cluster.get("orm"):
            # Any other broker would enqueue outside the caller's transaction: no outbox.
            raise CommandError('Q_CLUSTER["orm"] must name the database alias (transactional outbox)')
        timeout, lease = cluster.get("timeout"), cluster.get("retry", 60)
        if timeout is None or lease <= timeout:
            # A lease shorter than the longest run would hand a live job to a second worker.
            raise CommandError('Q_CLUSTER["retry"] (lease) must be longer than Q_CLUSTER["timeout"]')
        for module in options["modules"]:
            # Imported in this process before the cluster forks its workers, so they inherit them.
            importlib.import_module(module)
        logger.info("Job handlers: %s", ", ".join(registered_names()) or "(none)")
        settings.SECRET_KEY  # noqa: B018  (as qcluster does: deliveries are signed with it)
        cluster = Cluster()  # installs django-q2's SIGTERM/SIGINT handler (stop, then wait)…
        stop_requested = stopping.arm()

        def stop(signum: int, frame: FrameType | None) -> None:
            # …which waits for the jobs in hand and in the local queue: first tell the workers to
            # release them (motcua/jobs/stopping.py), so the stop takes seconds, not minutes.
            stop_requested.set()
            cluster.sig_handler(signum, frame)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # Returns once the cluster runs; the process then waits for its (non-daemon) sentinel process
        # at exit, and a signal stops it — as django-q2's own qcluster command does.
        cluster.start()
