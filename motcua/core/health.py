"""Liveness and readiness for the orchestrator and the load balancer (``/healthz/live``, ``/healthz/ready``).

* **Live**: the process answers requests. Nothing else is looked at — a database outage must not get
  every web process restarted, which would not bring the database back.
* **Ready**: this process can serve pages: the database answers ``SELECT 1``, no migration is left
  to apply (code newer than the schema answers 500s on the new columns), and in production the static
  files' manifest was read (``core.staticfiles``). 503 takes the process out of rotation until it is.

The migration check loads the migration graph (tens of milliseconds): once it has passed, this process
does not run it again — migrations are applied before new code starts, never under a running one.
``/healthz`` (database and cache) stays what monitoring alerts on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from motcua.core.staticfiles import static_manifest_problem

# Names of pending migrations given in the answer, at most (the count is always given).
_PENDING_SHOWN = 5

# Per process: set once the schema was found up to date.
_migrations_applied = False


@dataclass
class Readiness:
    """The figures of ``/healthz/ready``: each part ``ok`` or what is wrong, with ``detail``."""

    database: str = "ok"
    migrations: str = "ok"
    static: str = "ok"
    detail: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return not self.detail


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """``app.name`` of each migration the database still lacks, in the order ``migrate`` would apply them."""
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def readiness() -> Readiness:
    global _migrations_applied
    result = Readiness()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means not ready
        result.database = "unavailable"
        result.migrations = "unknown"
        result.detail["database"] = str(exc)
    if result.database == "ok" and not _migrations_applied:
        try:
            pending = pending_migrations()
        except Exception as exc:  # the recorder's table unreadable: not ready either
            result.migrations = "unknown"
            result.detail["migrations"] = str(exc)
        else:
            if pending:
                result.migrations = "pending"
                shown = ", ".join(pending[:_PENDING_SHOWN]) + (", …" if len(pending) > _PENDING_SHOWN else "")
                result.detail["migrations"] = f"{len(pending)} chưa áp dụng (not applied): {shown}"
            else:
                _migrations_applied = True
    if problem := static_manifest_problem():
        result.static = "missing"
        result.detail["static"] = problem
    return result


def readiness_forget() -> None:
    """Forget that the migrations passed (tests; the check runs again on the next request)."""
    global _migrations_applied
    _migrations_applied = False
