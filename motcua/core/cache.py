"""The cache every process shares — cache dùng chung — and what happens when its backend is down.

Django's cache holds the rate-limit counters (``core.ratelimit``, ``portal.tracking``), so it must be
one store for every web process and worker, in every configuration: Redis when ``REDIS_URL`` is set,
otherwise a table of the database (``SharedDatabaseCache``, table ``motcua_cache``, created by core's
migration 0003). Never the local-memory cache: with two gunicorn workers it counted per process, and a
probe got 63 tracking lookups a minute through the limit of 30. ``motcua check`` warns if it comes back
(``core.checks``).

Redis (or the database) being down must not take the pages that count with it: a counter that
cannot be read or written is skipped (the limit fails open for as long as Redis is away, a warning
logged at most once a minute per process so the log is not flooded), while ``/healthz`` reports the
cache as unavailable so that monitoring sees it (``core.views.healthz``).

The database cache fails with the database, which takes the pages down anyway.
"""

from __future__ import annotations

import base64
import logging
import pickle
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone
from redis.exceptions import RedisError

logger = logging.getLogger("motcua.cache")

WARNING_INTERVAL_SECONDS = 60


# What a cache call raises when its backend cannot be reached (not a programming error): the Redis
# client's errors, socket errors for any other networked backend, and the database's errors for the
# database cache (its table missing or the database gone).
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError, DatabaseError)

_last_warning: dict[str, float] = {}


def cache_warn_unavailable(*, where: str, error: Exception) -> None:
    """Log that the cache is down for ``where``, at most once per ``WARNING_INTERVAL_SECONDS``."""
    now = time.monotonic()
    last = _last_warning.get(where)
    if last is not None and now - last < WARNING_INTERVAL_SECONDS:
        return
    _last_warning[where] = now
    logger.warning("Cache unavailable (%s: %s); %s continues without it.", type(error).__name__, error, where)


def cache_check(alias: str = "default") -> str | None:
    """A write and read round trip on the cache: None when it works, else the error as text."""
    cache = caches[alias]
    key = f"motcua:healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, 1, timeout=10)
        ok = cache.get(key) == 1
        cache.delete(key)
    except CACHE_ERRORS as exc:
        return f"{type(exc).__name__}: {exc}"
    return None if ok else "the value written could not be read back"


# The table of the database cache; created by core's migration 0003 whatever CACHES says, so switching
# from Redis to the database (or back) needs no manual ``createcachetable``.
DATABASE_CACHE_TABLE = "motcua_cache"


class SharedDatabaseCache(DatabaseCache):
    """Django's database cache with an atomic ``incr``: the rate-limit counters of every process.

    Django's ``DatabaseCache.incr`` is a read then a write: two processes counting the same window at
    once both read n and both write n + 1, and a burst slips through. Here the read takes the row's
    lock first (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the IMMEDIATE transaction holds the
    database's write lock from its start), so concurrent hits are counted one after the other.
    """

    @contextmanager
    def _counter_transaction(self, db: str) -> Iterator[Any]:
        """A transaction for a counter's write. On PostgreSQL its commit does not wait for the WAL flush
        (``synchronous_commit = off``, this transaction only): a counter lost in a crash costs nothing,
        and the flush was most of a hit's time (docs/architecture.md §27)."""
        connection = connections[db]
        # Only when this is the outermost transaction: SET LOCAL lasts to the end of the transaction,
        # and a caller's own writes around a counter must stay durable.
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=db), connection.cursor() as cursor:
            if outermost and connection.vendor == "postgresql":
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield cursor

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        with self._counter_transaction(router.db_for_write(self.cache_model_class)):
            return bool(super().add(key, value, timeout=timeout, version=version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)  # type: ignore[attr-defined]  # set by BaseDatabaseCache, not in the stubs
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        with self._counter_transaction(db) as cursor:
            cursor.execute(
                f"SELECT {quote('value')} FROM {table} WHERE {quote('cache_key')} = %s "
                f"AND {quote('expires')} >= %s{lock}",
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode())) + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s", [encoded, key]
            )
        return int(value)
