"""Rate limits hold across processes on the default configuration (no Redis): the database cache.

The probe that opened issue 15 got 63 tracking lookups a minute through a limit of 30 with two web
workers: the counters were per process. Here two real interpreters (as two gunicorn workers would be)
hit the same limits at the same time, on the test database's ``motcua_cache`` table.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.cache import SharedDatabaseCache
from motcua.jobs.tests.worker_process import database_url
from tests.caching import queries_besides_rate_counters

# Both processes start, wait for the go file, then send their requests together: public tracking
# lookups from one address, then API requests with one (made-up) token from each its own address.
# The fixed windows are aligned on the epoch: a ten-year window puts both processes in the same one.
SCRIPT = """
import os, sys, time, django
django.setup()
from django.conf import settings
from django.test import Client
go, ip, token, own_ip = sys.argv[1:5]
decade = 10 * 365 * 86400
settings.MOTCUA_TRACKING_RATE_LIMITS = {"LOOKUPS": (10, decade)}
settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "API_PER_CLIENT": (8, decade)}
tracking, api = Client(REMOTE_ADDR=ip), Client(REMOTE_ADDR=own_ip)
while not os.path.exists(go):
    time.sleep(0.01)
codes = [tracking.get("/api/v1/public/dossiers/000.22.07.H49-251122-0007").status_code for _ in range(15)]
print(" ".join(map(str, codes)))
codes = [api.get("/api/v1/dossiers", HTTP_AUTHORIZATION="Bearer " + token).status_code for _ in range(6)]
print(" ".join(map(str, codes)))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DATABASE_", "REDIS_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "MOTCUA_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": database_url(),
        }
    )
    return env


def _together(tmp_path: Path, *, ip: str, token: str) -> tuple[list[str], list[str]]:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(go), ip, token, f"2001:db8::{n}"],
            env=_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    go.touch()
    tracking: list[str] = []
    api: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        lines = out.splitlines()
        tracking += lines[0].split()
        api += lines[1].split()
    return tracking, api


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the subprocesses read and write this test database
def test_limits_hold_across_two_processes_on_the_database_cache(tmp_path):
    assert isinstance(caches["default"], SharedDatabaseCache)
    ip = f"2001:db8::{uuid.uuid4().hex[:4]}"
    token = f"mct_{uuid.uuid4().hex[:12]}_made-up-token"
    try:
        tracking, api = _together(tmp_path, ip=ip, token=token)
    finally:
        cache.clear()
    # 30 lookups at once from two processes against a limit of 10: exactly 10 answered, none lost.
    assert tracking.count("404") == 10, tracking
    assert tracking.count("429") == 20, tracking
    # Two addresses share one token: the per-client counter (the token's) stops them together. An
    # unknown token is refused (401) but still counted: 8 answers, then 429 from either process.
    assert api.count("401") == 8, api
    assert api.count("429") == 4, api


def test_incr_counts_every_hit_of_one_process(db):
    cache.add("probe", 1, timeout=60)
    assert [cache.incr("probe") for _ in range(3)] == [2, 3, 4]
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")


@pytest.mark.django_db
def test_query_budgets_leave_the_counters_out(client, django_assert_num_queries):
    """The projects's ``django_assert_num_queries`` (root conftest) counts a view's queries, not the
    edge's counters; the counters themselves are real statements on the database."""
    with queries_besides_rate_counters() as own, CaptureQueriesContext(connection) as every:
        client.get("/api/v1/public/dossiers/000.22.07.H49-251122-0007")
    assert any("motcua_cache" in query["sql"] for query in every.captured_queries)
    assert not any("motcua_cache" in sql for sql in own)
    with django_assert_num_queries(len(own)):
        client.get("/api/v1/public/dossiers/000.22.07.H49-251122-0008")
