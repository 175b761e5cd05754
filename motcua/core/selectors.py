"""Reads of the core app: reference data cached per process, fresh across processes.

The one freshness mechanism for reference data (catalogue, processes, units, the working-time
calendar): every write restamps ``ReferenceDataVersion`` in its own transaction
(``core.services.reference_data_changed``), and whatever a process keeps in memory is tagged with the
stamp it was built under. Two ways to follow it:

* ``reference_data_cached``: the stamp is read on every call (one primary-key read; pass ``stamp`` to
  share one read between several keys) — for values read once per request (receipt);
* ``ReferenceDataFollower``: the stamp is read at most once per ``check_seconds`` — for values read
  many times per request (the calendar behind every deadline).

Both see a write committed by another process (after at most ``check_seconds`` for a follower), never
a rolled-back one; the process that commits a write sees it at its next call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.db import connection

from motcua.core.models import REFERENCE_DATA_ROW, ReferenceDataVersion
from motcua.core.orm import on_commit_pending

T = TypeVar("T")

# Written by hand (no library does this): Django's cache framework would need a shared backend
# (Redis) to stay correct across gunicorn workers, and the embedded default has none. Instead every
# cached value is tagged with the reference-data stamp read from the database, and one indexed
# one-row read per request tells whether any cached value is stale. The receipt path reads its
# procedure (four queries) and units this way (bench P2).
_MAX_ENTRIES = 4096
_cache: dict[Hashable, tuple[str, object]] = {}
_lock = threading.Lock()
# Bumped when this process commits a reference-data write: its followers re-read the stamp at once.
_generation = 0


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


class ReferenceDataCommit:
    """``on_commit`` callback of a reference-data write (``core.services.reference_data_changed``).

    While it waits in the connection's commit queue it marks that connection's transaction as holding
    uncommitted reference data, and carries the values followers built from it: they see the
    transaction's own writes, and die with it on rollback. On commit it bumps the process generation.
    """

    def __init__(self, stamp: str) -> None:
        self.stamp = stamp
        self.values: dict[int, object] = {}

    def __call__(self) -> None:
        global _generation
        with _lock:
            _generation += 1


@dataclass(slots=True)
class _Built(Generic[T]):
    value: T
    stamp: str
    generation: int
    fresh_until: float  # time.monotonic() before which the stamp need not be read again


@dataclass(eq=False)
class ReferenceDataFollower(Generic[T]):
    """A value built from reference data, kept per process and rebuilt when the stamp changes.

    ``get()`` costs nothing while the value is fresh: the stamp is read at most once per
    ``check_seconds()`` (another process's commit is seen within that time), at once after this
    process commits a reference-data write, and the value is rebuilt only when the stamp differs.
    Inside a transaction that wrote reference data and has not committed, ``get()`` builds the value
    from that transaction's rows, once per write, and never shares it with other threads.
    """

    build: Callable[[], T]
    check_seconds: Callable[[], float]
    _built: _Built[T] | None = field(default=None, init=False)
    _build_lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def get(self) -> T:
        pending = on_commit_pending(ReferenceDataCommit)
        if pending is not None:
            if id(self) not in pending.values:
                pending.values[id(self)] = self.build()
            return pending.values[id(self)]  # type: ignore[return-value]
        built, generation, now = self._built, _generation, time.monotonic()
        if built is not None and built.generation == generation and now < built.fresh_until:
            return built.value
        # Stamp before rows: a write committing in between makes the next check rebuild again.
        stamp = reference_data_stamp()
        if built is not None and stamp and stamp == built.stamp:
            built.generation, built.fresh_until = generation, now + self.check_seconds()
            return built.value
        with self._build_lock:
            built = self._built
            if built is not None and stamp and stamp == built.stamp:  # another thread rebuilt it
                return built.value
            value = self.build()
            # No stamp row (a flushed test database): nothing tells stale from fresh; check every time.
            fresh_until = now + self.check_seconds() if stamp else now
            self._built = _Built(value, stamp, generation, fresh_until)
        return value

    def clear(self) -> None:
        """Forget the value (settings changed, tests): the next ``get()`` rebuilds it."""
        self._built = None
