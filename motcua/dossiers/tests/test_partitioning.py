"""``motcua partition-events``: the audit event table partitioned by year on PostgreSQL (docs/scaling.md).

Events are written over four years through the services, the table is converted, and then: every row
is there with its id, the hash chains verify, a new event lands in its year's partition and gets the
next id, the append-only trigger still refuses UPDATE and DELETE, and a second run only adds years.
The conversion's DDL runs inside the test's transaction and is rolled back with it.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from motcua.dossiers.models import DossierEvent
from motcua.dossiers.partitioning import DEFAULT_PARTITION, events_partitioned, partition_name
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at

pytestmark = pytest.mark.django_db

YEARS_BACK = 3  # events in 2023, 2024, 2025 and 2026


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("partition_events", *args, stdout=out)
    return out.getvalue()


def _partition_of(event_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM dossiers_dossierevent WHERE id = %s", [event_id])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_events_over_several_years_are_partitioned_and_stay_intact(world: World) -> None:
    dossiers = []
    for back in range(YEARS_BACK, -1, -1):
        # 52 weeks earlier each time: still a Monday morning, one year back.
        with time_machine.travel(MONDAY_0900 - timedelta(weeks=52 * back), tick=False):
            dossiers.append(dossier_at(world, "approval"))
    before = dict(DossierEvent.objects.values_list("id", "hash"))
    years = sorted({timezone.localtime(at).year for at in DossierEvent.objects.values_list("at", flat=True)})
    assert len(years) == YEARS_BACK + 1

    output = _run("--years-ahead", "1")

    assert f"{len(before)} sự kiện đã chuyển" in output
    assert events_partitioned()
    this_year = timezone.localdate().year
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'dossiers_dossierevent'::regclass"
        )
        partitions = {name for (name,) in cursor.fetchall()}
    expected = {partition_name(y) for y in range(years[0], this_year + 2)} | {DEFAULT_PARTITION}
    assert partitions == expected
    # Every row, with its id and hash, each in its year's partition.
    assert dict(DossierEvent.objects.values_list("id", "hash")) == before
    for event in DossierEvent.objects.all():
        assert _partition_of(event.pk) == partition_name(timezone.localtime(event.at).year)

    out = io.StringIO()
    call_command("verify_audit", stdout=out)  # exit 0: every chain intact
    assert "nhật ký toàn vẹn" in out.getvalue()

    # New events go to the current year's partition, with ids after the copied ones.
    with time_machine.travel(MONDAY_0900, tick=False):
        fresh = dossier_at(world, "received")
    new_events = list(DossierEvent.objects.filter(dossier=fresh))
    assert new_events
    assert min(e.pk for e in new_events) > max(before)
    assert _partition_of(new_events[0].pk) == partition_name(timezone.localtime(new_events[0].at).year)

    # Still append-only (the trigger was carried over to the partitioned table and its partitions).
    old_event = DossierEvent.objects.filter(dossier=dossiers[0]).order_by("seq").first()
    assert old_event is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        DossierEvent.objects.filter(pk=old_event.pk).update(reason="sửa lén")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        DossierEvent.objects.filter(pk=old_event.pk).delete()
    # The primary key now carries the partition key; (dossier, seq) stays a named unique constraint.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'dossiers_dossierevent'::regclass AND contype IN ('p', 'u', 'f') "
            "ORDER BY conname"
        )
        constraints = dict(cursor.fetchall())
    assert constraints["dossiers_dossierevent_pkey"] == "PRIMARY KEY (id, at)"
    assert constraints["dossier_event_unique_seq"] == "UNIQUE (dossier_id, seq, at)"
    assert sum(1 for d in constraints.values() if d.startswith("FOREIGN KEY")) == 3

    # Run again: nothing to convert; with more years ahead, only those are added.
    assert "không cần thêm năm nào" in _run()
    assert f"năm {this_year + 2}, {this_year + 3}" in _run("--years-ahead", "3")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_an_event_of_a_year_without_partition_goes_to_default_and_blocks_that_year(world: World) -> None:
    _run("--years-ahead", "0")
    far = timezone.localdate().year + 2
    with time_machine.travel(MONDAY_0900.replace(year=far), tick=False):
        event = DossierEvent.objects.filter(dossier=dossier_at(world, "received")).first()
    assert event is not None
    assert _partition_of(event.pk) == DEFAULT_PARTITION
    with pytest.raises(CommandError, match=f"năm {far}"):
        _run("--years-ahead", "2")
    assert not any(name == partition_name(far) for name in _partitions())


def _partitions() -> list[str]:
    from motcua.dossiers.partitioning import events_partitions

    return events_partitions()


def test_sqlite_is_refused_with_a_message() -> None:
    if connection.vendor == "postgresql":
        assert "chưa được phân vùng" in _run("--status")
        return
    with pytest.raises(CommandError, match="Chỉ phân vùng được bảng sự kiện trên PostgreSQL"):
        _run()
    assert not events_partitioned()
