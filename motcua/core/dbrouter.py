"""Reads that may go to a PostgreSQL streaming replica (docs/scaling.md, docs/architecture.md §33).

When ``MOTCUA_REPLICA_DATABASE_URL`` is set, settings add a database alias ``replica`` and install
``ReplicaRouter``. Nothing goes to the replica by default: a read goes there only inside
``reads_from_replica()`` (a context manager and a decorator), which the reports, the 766 index, the
transparency board and open data use, or through ``replica_alias()`` in code that names its alias
(the public tracking lookup's one-query path). Every write, and every read outside those places, goes
to ``default``: the engine's reads before a write must see the primary's latest row (locks, version
checks, the hash chain), which a replica lagging by a few hundred milliseconds does not have.

Why an explicit opt-in rather than "all reads to the replica": a replica is behind the primary by its
replay lag. Reports and open data are computed from aggregates that are already minutes old; the
tracking page can say "not found" for a dossier submitted a second ago, so it falls back to the
primary on a miss (``replica_or_primary``). Inside a transaction on ``default`` (the request wrote
something, or a test case) the replica is never used: a transaction must read its own writes.

Without the setting the alias does not exist and every function here answers ``default``: the tests
and a one-machine installation run unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_ALIAS = "replica"

_reading: ContextVar[bool] = ContextVar("motcua_reads_from_replica", default=False)

T = TypeVar("T")


def replica_configured() -> bool:
    """Whether a ``replica`` database alias is configured (``MOTCUA_REPLICA_DATABASE_URL``)."""
    return REPLICA_ALIAS in connections.settings


def replica_alias() -> str:
    """The alias a replica-tolerant read should use now: ``replica`` when one is configured and no
    transaction is open on ``default`` (which must read its own writes), else ``default``."""
    if not replica_configured() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA_ALIAS


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Within this block (or the decorated function), ORM reads go to ``replica_alias()``.

    A decorated generator function is only covered while it is created, not while it is iterated:
    generators name their alias with ``replica_alias()`` instead.
    """
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_or_primary(read: Callable[[str], T | None]) -> T | None:
    """``read(alias)`` on the replica, then on the primary when the replica found nothing.

    Replication lag: a dossier submitted a moment ago may not be on the replica yet; a miss there is
    not an answer. A hit is (the replica is at most its lag behind; the tracking page shows a status).
    """
    alias = replica_alias()
    found = read(alias)
    if found is None and alias != DEFAULT_DB_ALIAS:
        found = read(DEFAULT_DB_ALIAS)
    return found


class ReplicaRouter:
    """Django database router: reads to the replica inside ``reads_from_replica()``; no opinion
    elsewhere (Django's default: the alias the instance came from, else ``default``), except that
    nothing is ever written to the replica — an object read there is saved to ``default``."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not _reading.get() or model._meta.app_label == "django_cache":
            # The database cache holds the shared rate-limit counters: always the primary's values.
            return None
        return replica_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        instance = hints.get("instance")
        if instance is not None and getattr(instance._state, "db", None) == REPLICA_ALIAS:
            return DEFAULT_DB_ALIAS
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        if REPLICA_ALIAS in (obj1._state.db, obj2._state.db):
            return True  # the same data on both aliases
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        # A standby is read-only and receives the primary's schema by replication.
        return False if db == REPLICA_ALIAS else None
