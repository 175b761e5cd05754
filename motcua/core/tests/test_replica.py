"""Reads from a PostgreSQL streaming replica (``core.dbrouter``, docs/scaling.md).

Without a replica (every other test, SQLite and PostgreSQL) the alias does not exist and everything
reads ``default``. With one — a real primary and standby started for the test (``tests.pg_replica``),
``default`` pointed at the primary — the reports and the public tracking lookup read the standby, a
miss there (replication paused, i.e. lag) is looked up again on the primary, and a write through the
replica's alias is refused by the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext

from motcua.core import dbrouter
from motcua.core.dbrouter import REPLICA_ALIAS, ReplicaRouter, reads_from_replica, replica_alias
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import dossier_submit, world_build
from motcua.portal.selectors import tracking_public_view
from motcua.reports.periods import Period
from motcua.reports.selectors import statistics
from tests.pg_replica import ReplicaPair, binaries_available, replica_pair


def test_without_a_replica_every_read_is_on_default(db):
    assert not dbrouter.replica_configured()
    assert replica_alias() == DEFAULT_DB_ALIAS
    with reads_from_replica():
        assert Dossier.objects.all().db == DEFAULT_DB_ALIAS
        assert replica_alias() == DEFAULT_DB_ALIAS
    assert dbrouter.replica_or_primary(lambda alias: alias) == DEFAULT_DB_ALIAS


def test_an_object_read_from_the_replica_is_saved_to_default():
    router = ReplicaRouter()
    dossier = Dossier()
    dossier._state.db = REPLICA_ALIAS
    assert router.db_for_write(Dossier, instance=dossier) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA_ALIAS, "dossiers") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "dossiers") is None
    assert router.db_for_read(Dossier) is None  # outside reads_from_replica: Django's default


def test_the_database_cache_is_never_read_from_the_replica():
    from django.core.cache.backends.db import DatabaseCache

    cache_model = DatabaseCache("motcua_cache", {}).cache_model_class
    connections.settings[REPLICA_ALIAS] = dict(connections.settings[DEFAULT_DB_ALIAS])
    try:
        with reads_from_replica():
            assert ReplicaRouter().db_for_read(cache_model) is None
            assert ReplicaRouter().db_for_read(Dossier) == REPLICA_ALIAS
    finally:
        del connections.settings[REPLICA_ALIAS]


# -- a real primary and streaming replica -------------------------------------------------------------


def _pg_bin() -> Path:
    from motcua.core.backup import pg_program

    return Path(pg_program("pg_dump")).parent


@pytest.fixture(scope="module")
def pair(django_db_setup, django_db_blocker) -> Iterator[ReplicaPair]:
    with django_db_blocker.unblock():
        if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
            pytest.skip("a streaming replica needs PostgreSQL")
        pg_bin = _pg_bin()
        if not binaries_available(pg_bin):
            pytest.skip(f"no initdb/pg_basebackup in {pg_bin}")
        source = connections[DEFAULT_DB_ALIAS].settings_dict
        host = source.get("HOST") or "localhost"
        port = source.get("PORT") or 5432
        password = f":{source['PASSWORD']}" if source.get("PASSWORD") else ""
        url = f"postgresql://{source.get('USER') or 'postgres'}{password}@{host}:{port}/{source['NAME']}"
        with replica_pair(pg_bin=pg_bin, source_url=url) as started:
            yield started


@pytest.fixture
def on_pair(pair: ReplicaPair, django_db_blocker) -> Iterator[ReplicaPair]:
    """``default`` is the private primary and ``replica`` its standby for the test's duration."""
    with django_db_blocker.unblock():
        settings_dict = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
        settings_dict.update(
            NAME=pair.database, HOST="127.0.0.1", PORT=str(pair.primary_port), USER="postgres", PASSWORD=""
        )
        settings_dict["CONN_MAX_AGE"] = 0
        backend = load_backend(settings_dict["ENGINE"])
        primary = backend.DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
        connections.settings[REPLICA_ALIAS] = dict(settings_dict, PORT=str(pair.standby_port))
        saved = connections[DEFAULT_DB_ALIAS]
        connections[DEFAULT_DB_ALIAS] = primary
        try:
            yield pair
        finally:
            primary.close()
            connections[REPLICA_ALIAS].close()
            del connections[REPLICA_ALIAS]
            del connections.settings[REPLICA_ALIAS]
            connections[DEFAULT_DB_ALIAS] = saved


def test_reports_and_tracking_read_the_replica(on_pair: ReplicaPair):
    replica = connections[REPLICA_ALIAS]
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)  # a standby, not the primary

    world = world_build()
    dossier = dossier_submit(world, key="replica-1")
    on_pair.wait_for_replay()

    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        view = tracking_public_view(code=dossier.code)
    assert view is not None
    assert view.code == dossier.code
    assert len(on_replica) == 1
    assert not on_primary.captured_queries

    today = date.today()
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        figures = statistics(period=Period.month(today.year, today.month), unit=world.centre_a)
    assert on_replica.captured_queries
    assert not on_primary.captured_queries
    assert figures.received_total >= 0

    # The router never writes to the replica, and the server would refuse it anyway.
    with reads_from_replica():
        read_back = Dossier.objects.get(pk=dossier.pk)
    assert read_back._state.db == REPLICA_ALIAS
    with pytest.raises(DatabaseError, match="read-only"), replica.cursor() as cursor:
        cursor.execute("UPDATE dossiers_dossier SET code = code WHERE id = %s", [dossier.pk])


def test_a_dossier_not_yet_replayed_is_found_on_the_primary(on_pair: ReplicaPair):
    world = world_build()
    on_pair.wait_for_replay()
    with on_pair.standby_conn() as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            dossier = dossier_submit(world, key="replica-lag")
            with CaptureQueriesContext(connections[REPLICA_ALIAS]) as on_replica:
                view = tracking_public_view(code=dossier.code)
            assert view is not None
            assert view.code == dossier.code
            assert len(on_replica) == 1  # the replica was asked first and did not know it
            assert tracking_public_view(code="KHONG-CO") is None  # unknown everywhere: still None
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")
