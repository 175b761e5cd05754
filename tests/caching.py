"""Clearing the shared cache between tests — its rate-limit counters live in the database.

The default cache is a table of the database (``core.cache.SharedDatabaseCache``), so clearing it needs
the database: a test that has none (a pure function's test) has no counters to clear either. Inside a
test's transaction the counters roll back with it; a transactional test (live server, subprocesses)
commits them, and needs the clear.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import cache

_DB_FIXTURES = (
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
)


def cache_clear_if_database(request: pytest.FixtureRequest) -> None:
    """``cache.clear()`` when the test uses the database (set up first if it comes through a fixture)."""
    if request.node.get_closest_marker("django_db") is None and not any(
        name in request.fixturenames for name in _DB_FIXTURES
    ):
        return
    request.getfixturevalue("db")
    cache.clear()


_SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def view_queries(captured: list[dict[str, Any]]) -> list[str]:
    """The SQL of ``captured`` less the rate-limit counters': the statements on the ``motcua_cache``
    table and the savepoints that wrap them (``SharedDatabaseCache.incr`` and ``add``) — a savepoint
    whose first statement is on that table, with its release or rollback."""
    sqls = [query["sql"] for query in captured]
    counter_savepoints = {
        sql.split(" ", 1)[1]
        for n, sql in enumerate(sqls[:-1])
        if sql.startswith("SAVEPOINT ") and "motcua_cache" in sqls[n + 1]
    }

    def counters(sql: str) -> bool:
        return "motcua_cache" in sql or (
            sql.startswith(_SAVEPOINTS) and sql.rsplit(" ", 1)[-1] in counter_savepoints
        )

    return [sql for sql in sqls if not counters(sql)]


@contextmanager
def queries_besides_rate_counters() -> Iterator[list[str]]:
    """The SQL run inside the block, less the rate-limit counters' (``view_queries``): the queries a
    view itself costs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    own: list[str] = []
    with CaptureQueriesContext(connection) as captured:
        yield own
    own.extend(view_queries(captured.captured_queries))
