"""A real ``motcua run-jobs`` worker in its own process group, for the worker tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings


def database_url() -> str:
    """URL of the database this test runs on (pytest-django's test database), for the subprocess."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            pytest.skip("the worker subprocess needs a file database it can open")
        return f"sqlite:///{name}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db.get("PASSWORD"):
            credentials += ":" + quote(db["PASSWORD"], safe="")
        return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    pytest.skip(f"no URL form for {db['ENGINE']}")


def worker_command() -> list[str]:
    script = Path(sys.executable).with_name("motcua")  # the console script `make` would use
    base = [str(script)] if script.exists() else [sys.executable, "-m", "motcua.manage"]
    return [*base, "run-jobs", "--import", "motcua.jobs.tests.handlers"]


def worker_start(
    log_path: Path, *, timeout_seconds: int, lease_seconds: int, workers: int = 1, stop_grace_seconds: int = 0
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "DATABASE_URL": database_url(),
        "MOTCUA_JOBS_WORKERS": str(workers),
        "MOTCUA_JOBS_TIMEOUT_SECONDS": str(timeout_seconds),
        "MOTCUA_JOBS_LEASE_SECONDS": str(lease_seconds),
        "MOTCUA_JOBS_POLL_MS": "100",
        # 0: SIGTERM interrupts the handler in hand at once (the production default lets it finish).
        "MOTCUA_JOBS_STOP_GRACE_SECONDS": str(stop_grace_seconds),
    }
    with log_path.open("wb") as log:
        # Own session = own process group: the command and its worker processes can then be killed
        # together, as a crash or `kill -9` of the service would.
        return subprocess.Popen(
            worker_command(), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def process_group_kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def wait_for(
    condition: Callable[[], bool], what: str, proc: subprocess.Popen[bytes], log: Path, *, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"worker exited ({proc.returncode}) before {what}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()}")
        time.sleep(0.05)
