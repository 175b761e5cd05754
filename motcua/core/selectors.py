"""Reads of the core app: reference data cached per process, fresh across processes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.db import connection

from motcua.core.models import REFERENCE_DATA_ROW, ReferenceDataVersion

T = TypeVar("T")

# Written by hand (no library does this): Django's cache framework would need a shared backend
# (Redis) to stay correct across gunicorn workers, and the embedded default has none. Instead every
# cached value is tagged with the reference-data stamp read from the database, and one indexed
# one-row read per request tells whether any cached value is stale. The receipt path reads its
# procedure (four queries) and units this way (bench P2).
_MAX_ENTRIES = 4096
_cache: dict[Hashable, tuple[str, object]] = {}
_lock = threading.Lock()


def reference_data_stamp() -> str:
    """The current stamp (see ``ReferenceDataVersion``); "" before the first write."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT stamp FROM {ReferenceDataVersion._meta.db_table} WHERE id = %s", [REFERENCE_DATA_ROW]
        )
        row = cursor.fetchone()
    return row[0] if row else ""


def reference_data_cached(key: Hashable, load: Callable[[], T], *, stamp: str | None = None) -> T:
    """``load()``'s value, cached in this process until the reference data changes anywhere.

    The stamp is read before ``load()`` runs: a write that commits in between makes the next call
    reload (its stamp differs), so a value is never cached under a stamp newer than its data. Values
    are shared by every request of the process: treat them as read-only. Exceptions are not cached.
    Pass ``stamp`` (from ``reference_data_stamp``) to look up several keys for one read of it.
    """
    current = reference_data_stamp() if stamp is None else stamp
    if not current:
        # No stamp row (a flushed test database): nothing tells a stale value from a fresh one.
        return load()
    hit = _cache.get(key)
    if hit is not None and hit[0] == current:
        return hit[1]  # type: ignore[return-value]
    value = load()
    with _lock:
        if len(_cache) >= _MAX_ENTRIES:
            _cache.clear()  # reference data is small; a full cache means many stamps have gone by
        _cache[key] = (current, value)
    return value


def reference_data_cache_clear() -> None:
    """Forget every cached value of this process (tests)."""
    with _lock:
        _cache.clear()
