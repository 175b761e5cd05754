"""Clearing the shared cache between tests — its rate-limit counters live in the database.

The default cache is a table of the database (``core.cache.SharedDatabaseCache``), so clearing it needs
the database: a test that has none (a pure function's test) has no counters to clear either. Inside a
test's transaction the counters roll back with it; a transactional test (live server, subprocesses)
commits them, and needs the clear.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def queries_besides_rate_counters() -> Iterator[list[str]]:
    """The SQL run inside the block, less the rate-limit counters' (the ``motcua_cache`` table and the
    savepoints around its updates): the queries a view itself costs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    own: list[str] = []
    with CaptureQueriesContext(connection) as captured:
        yield own
    for query in captured.captured_queries:
        sql = query["sql"]
        if "motcua_cache" in sql or sql.startswith(_SAVEPOINTS):
            continue
        own.append(sql)
