"""The fault drills in CI, on PostgreSQL: processes SIGKILLed, PostgreSQL restarted, the disk full.

``bench/drills/fault_drills.py`` runs as a process of its own, as an operator would run it, against a
database created here on the suite's PostgreSQL server (migrated and loaded with the demo data once,
dropped afterwards): ``kill``, then ``pg-restart`` (in a private cluster the drill creates, from a
copy of that database) and ``storage`` (skipped by the drill when it cannot mount a tmpfs). One test
for the three so that the database is prepared once, whatever pytest-xdist does; short load windows
here (``--seconds``), longer ones by hand (docs/operations.md, "Fault drills"). Each drill checks its
own invariants and exits non-zero with the broken ones; the figures are printed (``pytest -s``).

On SQLite the drills are skipped: they exercise PostgreSQL (its restart, its row locks under real
concurrent processes) and production's gunicorn, which the suite only runs against PostgreSQL.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from motcua.jobs.tests.worker_process import database_url

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "drills" / "fault_drills.py"
LOAD_SECONDS = "15"
# Bounds a hung drill (a process that never answers), not a duration the test checks.
DRILL_TIMEOUT_SECONDS = 600


def _run(drill: str, url: str, tmp_path: Path) -> dict[str, object]:
    out = tmp_path / f"{drill}.json"
    args = [sys.executable, str(SCRIPT), drill, "--database-url", url, "--json", str(out)]
    if drill != "prepare":
        args += ["--prepared", "--seconds", LOAD_SECONDS, "--clients", "4"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=DRILL_TIMEOUT_SECONDS)
    if drill == "prepare":
        assert result.returncode == 0, result.stdout + result.stderr
        return {}
    figures: dict[str, object] = json.loads(out.read_text()) if out.exists() else {"ok": False}
    figures.setdefault("exit", result.returncode)
    if result.returncode != 0:
        figures["output"] = (result.stdout + result.stderr)[-4000:]
    return figures


@pytest.mark.slow
def test_fault_drills_kill_pg_restart_storage(tmp_path: Path) -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the fault drills run on PostgreSQL only (its restart; production's gunicorn)")
    server = urlsplit(database_url())
    url = urlunsplit(server._replace(path=f"/motcua_faults_{secrets.token_hex(4)}"))
    try:
        _run("prepare", url, tmp_path)
        results = {drill: _run(drill, url, tmp_path) for drill in ("kill", "pg-restart", "storage")}
    finally:
        import psycopg
        from psycopg import sql

        with psycopg.connect(urlunsplit(server._replace(path="/postgres")), autocommit=True) as admin:
            name = url.rsplit("/", 1)[1]
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    for drill, figures in results.items():
        print(f"{drill}: {json.dumps(figures, ensure_ascii=False)}")
    failed = {drill: figures for drill, figures in results.items() if not figures.get("ok")}
    assert not failed, json.dumps(failed, ensure_ascii=False, indent=2)
    kill, restart = results["kill"], results["pg-restart"]
    assert kill["acknowledged"]
    assert kill["code_gaps"] == 0
    assert kill["duplicate_keys"] == 0
    assert restart["unclean"] == []
    assert restart["processes_survived"] is True
    outcomes = restart["outcomes"]
    assert isinstance(outcomes, dict)
    assert set(outcomes) <= {"http_201", "http_200", "http_503_database_unavailable"}
