"""``motcua run-jobs``: the background-job worker (the claim loop of ``motcua/jobs/delivery.py``).

Checks the settings the guarantees rely on, imports extra handler modules, then claims and runs jobs
until SIGTERM/SIGINT: the handler in hand may finish within ``MOTCUA_JOBS_STOP_GRACE_SECONDS``, then
(or on a second signal) it is interrupted, and the jobs claimed and not run are released.
``--workers N`` (``MOTCUA_JOBS_WORKERS``) forks N such loops; the parent only forwards the stop signal
and replaces a loop that died.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from motcua.jobs import stopping
from motcua.jobs.conf import job_setting
from motcua.jobs.delivery import run_forever
from motcua.jobs.registry import registered_names

logger = logging.getLogger("motcua.jobs")


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý công việc nền."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--import",
            dest="modules",
            action="append",
            default=[],
            metavar="MODULE",
            help="Also import this module for its @job_handler functions (besides apps' job_handlers.py).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Worker processes (default: MOTCUA_JOBS_WORKERS, 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        timeout, lease = float(job_setting("TIMEOUT_SECONDS")), float(job_setting("LEASE_SECONDS"))
        if timeout <= 0 or lease <= timeout:
            # A lease shorter than the longest run would hand a live job to a second worker.
            raise CommandError("MOTCUA_JOBS_LEASE_SECONDS must be longer than MOTCUA_JOBS_TIMEOUT_SECONDS")
        workers = options["workers"] or int(job_setting("WORKERS"))
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        for module in options["modules"]:
            # Imported before any fork, so every worker process has them.
            importlib.import_module(module)
        logger.info("Job handlers: %s", ", ".join(registered_names()) or "(none)")
        if workers == 1:
            _worker_run()
        else:
            _supervise(workers)


def _worker_run() -> None:
    stopping.reset()
    stopping.configure(grace_seconds=float(job_setting("STOP_GRACE_SECONDS")))
    signal.signal(signal.SIGTERM, stopping.request_stop)
    signal.signal(signal.SIGINT, stopping.request_stop)
    logger.info("Job worker %s started", os.getpid())
    run_forever()
    logger.info("Job worker %s stopped", os.getpid())


def _supervise(count: int) -> None:
    """Fork ``count`` worker loops; forward SIGTERM/SIGINT to them; replace one that died."""
    connections.close_all()  # a forked child must not share the parent's database sockets
    children: set[int] = set()
    stop_signal: list[int] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        stop_signal.append(signum)
        for pid in children:
            os.kill(pid, signal.SIGTERM)

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:  # the child: its own signal handlers, then the loop; never back into Django's command
            code = 0
            try:
                _worker_run()
            except BaseException:
                logger.exception("Job worker %s crashed", os.getpid())
                code = 1
            finally:
                os._exit(code)
        children.add(pid)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for _ in range(count):
        spawn()
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        children.discard(pid)
        if not stop_signal:
            logger.error("Job worker %s exited (%s); starting another", pid, status)
            time.sleep(1)  # a worker that dies at once must not fork in a tight loop
            spawn()
