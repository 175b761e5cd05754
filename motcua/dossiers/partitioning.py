"""The audit event table partitioned by year (PostgreSQL): ``motcua partition-events``.

Why a command an operator runs, not a migration: converting ``dossiers_dossierevent`` copies every
event under an exclusive lock (minutes at tens of millions of rows), which belongs in a maintenance
window at the threshold of docs/scaling.md, not in the next deploy. SQLite keeps one table.

What the conversion keeps (all in one transaction — an error leaves the table as it was):

* every row, with its id; the identity sequence continues after the old one;
* the columns, defaults, NOT NULL and CHECK constraints (``CREATE TABLE … (LIKE …)``);
* the foreign keys, the plain indexes and the triggers — the append-only trigger of §29 above all —
  re-created from their definitions in the catalogue (``pg_get_constraintdef``, ``pg_get_indexdef``,
  ``pg_get_triggerdef``), so a trigger or an index a later migration adds is kept too;
* the primary key and the unique ``(dossier, seq)``, **with the partition key added**: PostgreSQL only
  enforces uniqueness on a partitioned table over keys that contain the partition column. Nothing
  references an event's id (no foreign key points at this table: checked before converting), and
  Django reads and writes ``id`` as before. ``(dossier, seq)`` stays unique in practice because
  every event of a dossier is appended under the dossier's row lock with the next ``seq``
  (``dossiers.services.recording``); a duplicate would break the hash chain, which ``verify-audit``
  and the seals check.

Partitions: one per calendar year in the province's time zone (``TIME_ZONE``), ``<table>_y2026``,
from the oldest event's year to ``years_ahead`` years after the current one, and a DEFAULT partition
that catches an event outside them instead of failing the engine's transaction. Run the command
again each year (it then only adds the missing years): a year whose events already sit in the
DEFAULT partition is refused with a message, since PostgreSQL cannot attach it over those rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.dossiers.models import DossierEvent

TABLE = DossierEvent._meta.db_table
OLD_TABLE = f"{TABLE}_unpartitioned"
DEFAULT_PARTITION = f"{TABLE}_default"
PARTITION_COLUMN = "at"


class PartitionError(Exception):
    """The table cannot be partitioned (or a partition added) as asked; nothing was changed."""


@dataclass
class PartitionReport:
    converted: bool  # False: the table was already partitioned; only missing years were added
    rows: int = 0
    years_added: list[int] = field(default_factory=list)
    partitions: list[str] = field(default_factory=list)


def partition_name(year: int) -> str:
    return f"{TABLE}_y{year}"


def _year_start(year: int) -> str:
    # A timestamptz literal for 1 January, 00:00 in the province's time zone (generated here, never
    # from input: DDL bounds cannot be bind parameters).
    return datetime(year, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()


def events_partitioned() -> bool:
    """Whether the event table is a partitioned table (PostgreSQL ``relkind = 'p'``)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def events_partitions() -> list[str]:
    """Names of the event table's partitions, oldest first (DEFAULT last); empty when not partitioned."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname = %s, c.relname",
            [TABLE, DEFAULT_PARTITION],
        )
        return [name for (name,) in cursor.fetchall()]


def events_partition(*, years_ahead: int = 1) -> PartitionReport:
    """Partition the event table by year (or, when it already is, add the missing years' partitions).

    Raises ``PartitionError`` (Vietnamese message) on SQLite, for a negative ``years_ahead``, when a
    foreign key points at the table, when it has a unique index that is not a constraint, or when the
    DEFAULT partition holds events of a year to add.
    """
    if connection.vendor != "postgresql":
        raise PartitionError(_("Chỉ phân vùng được bảng sự kiện trên PostgreSQL."))
    if years_ahead < 0 or years_ahead > 10:
        raise PartitionError(_("Số năm tạo trước phải từ 0 đến 10."))
    this_year = timezone.localdate().year
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Deferred foreign-key checks of rows this transaction wrote (a caller's, a test's) must
            # run now: PostgreSQL cannot drop a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        if events_partitioned():
            report = PartitionReport(converted=False)
            report.years_added = _years_add(range(this_year, this_year + years_ahead + 1))
        else:
            report = _convert(this_year=this_year, years_ahead=years_ahead)
        report.partitions = events_partitions()
    return report


def _years_add(years: range) -> list[int]:
    existing = set(events_partitions())
    added = []
    with connection.cursor() as cursor:
        for year in years:
            name = partition_name(year)
            if name in existing:
                continue
            if DEFAULT_PARTITION in existing:
                cursor.execute(
                    f"SELECT count(*) FROM {DEFAULT_PARTITION} WHERE {PARTITION_COLUMN} >= %s "
                    f"AND {PARTITION_COLUMN} < %s",
                    [_year_start(year), _year_start(year + 1)],
                )
                row = cursor.fetchone()
                if row and row[0]:
                    raise PartitionError(
                        _(
                            "Phân vùng mặc định đang chứa %(count)s sự kiện của năm %(year)s: không tạo "
                            "được phân vùng năm đó. Chuyển các sự kiện này theo docs/scaling.md."
                        )
                        % {"count": row[0], "year": year}
                    )
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{_year_start(year)}') TO ('{_year_start(year + 1)}')"
            )
            added.append(year)
    return added


def _convert(*, this_year: int, years_ahead: int) -> PartitionReport:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE confrelid = %s::regclass", [TABLE]
        )
        referencing = [name for (name,) in cursor.fetchall()]
        if referencing:
            raise PartitionError(
                _("Bảng sự kiện đang được tham chiếu bởi khóa ngoại từ %(tables)s: không phân vùng được.")
                % {"tables": ", ".join(sorted(referencing))}
            )
        # What to re-create, read before the table is renamed, so that the definitions name it as is.
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid), "
            "ARRAY(SELECT attname FROM unnest(conkey) WITH ORDINALITY AS k(n, o) "
            "      JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.n ORDER BY k.o) "
            "FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') "
            "ORDER BY conname",
            [TABLE],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid), i.indisunique FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid) "
            "ORDER BY i.indexrelid::regclass::text",
            [TABLE],
        )
        indexes = cursor.fetchall()
        if any(unique for _definition, unique in indexes):
            raise PartitionError(
                _("Bảng sự kiện có chỉ mục duy nhất không phải ràng buộc: cần xử lý tay trước khi phân vùng.")
            )
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
            "ORDER BY tgname",
            [TABLE],
        )
        triggers = [definition for (definition,) in cursor.fetchall()]
        cursor.execute(
            f"SELECT min({PARTITION_COLUMN} AT TIME ZONE %s), count(*) FROM {TABLE}",
            [settings.TIME_ZONE],
        )
        oldest, rows = cursor.fetchone()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (old_sequence,) = cursor.fetchone()
        cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {old_sequence}")
        (last_id,) = cursor.fetchone()

        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD_TABLE}")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD_TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS) "
            f"PARTITION BY RANGE ({PARTITION_COLUMN})"
        )
        first_year = min(oldest.year, this_year) if oldest is not None else this_year
        years = _years_add(range(first_year, this_year + years_ahead + 1))
        cursor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT")
        # Rows first, indexes and foreign keys after: building an index once is cheaper than
        # maintaining it over millions of inserts.
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD_TABLE}")
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {TABLE}")
        (max_id,) = cursor.fetchone()
        if max(max_id, last_id):
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [TABLE, max(max_id, last_id)]
            )
        cursor.execute(f"DROP TABLE {OLD_TABLE}")

        for name, kind, definition, columns in constraints:
            if kind in ("p", "u"):
                keyed = [*columns, PARTITION_COLUMN] if PARTITION_COLUMN not in columns else list(columns)
                clause = "PRIMARY KEY" if kind == "p" else "UNIQUE"
                cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {clause} ({', '.join(keyed)})")
            else:
                cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
        for definition, _unique in indexes:
            cursor.execute(definition)
        for definition in triggers:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {TABLE}")
    return PartitionReport(converted=True, rows=rows, years_added=years)
