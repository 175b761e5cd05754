"""What an attacker with database write access does to the audit log (tests of §29 only)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection

from motcua.dossiers.audit import event_hash
from motcua.dossiers.models import Dossier, DossierEvent

APPEND_ONLY_TABLES = (
    "dossiers_dossierevent",
    "dossiers_auditseal",
    "dossiers_auditsealleaf",
    "dossiers_auditsealnode",
)


@contextmanager
def as_dba() -> Iterator[None]:
    """Switch the append-only triggers off, as a database administrator can.

    DDL is transactional on both PostgreSQL and SQLite: the test's rollback puts the triggers back.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while the test's deferred foreign-key checks are pending: run them.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in APPEND_ONLY_TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER motcua_append_only")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS motcua_append_only_{table}")
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield


def chain_rewrite(dossier: Dossier, edit: Callable[[DossierEvent], None]) -> None:
    """Edit every event with ``edit``, recompute the unkeyed chain and the head kept on the dossier:
    the attack that the hash chain alone cannot see."""
    prev = ""
    with as_dba():
        for event in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
            edit(event)
            event.prev_hash = prev
            event.hash = event_hash(event)
            event.save()
            prev = event.hash
        Dossier.objects.filter(pk=dossier.pk).update(last_event_hash=prev)
