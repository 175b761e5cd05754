"""Writes of the reports: the aggregates, incrementally (one dossier event) or rebuilt from the events.

``aggregates_event_apply`` is what the dossier-event subscriber does; ``aggregates_rebuild`` what
``motcua reports-rebuild`` does. Both turn events into counters with ``facts.dossier_contribution`` and
write them with the same column lists, so they give the same rows (``models`` docstring). Rows whose
counters all come back to zero (a delta that cancels an earlier one) are left in place by the
incremental path and never written by the rebuild: compare the two ignoring all-zero rows.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from motcua.core.orm import in_transaction, rows_insert
from motcua.datastore.services import dossier_counts_rebuild
from motcua.dossiers.events import EventKind
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent
from motcua.nationalportal.services import sync_counts_rebuild
from motcua.population.services import lookup_counts_rebuild
from motcua.reports.facts import (
    Counts,
    DossierFacts,
    Durations,
    EventFact,
    contribution_delta,
    dossier_contribution,
)
from motcua.reports.models import (
    COUNTERS,
    DailyAggregate,
    DailyDuration,
    MonthlyAggregate,
    MonthlyDuration,
    MonthlyUnitAggregate,
    MonthlyUnitDuration,
    RebuildMark,
)
from motcua.reports.periods import month_start

logger = logging.getLogger(__name__)

_KEY = ("unit_id", "receiving_unit_id", "procedure_id", "channel")
_UNIT_KEY = ("unit_id", "receiving_unit_id", "channel")


# Facts of dossiers
# --------------------------------------------------------------------------------------------------


def _initial_fees(fees_total: int, events: Iterable[EventFact]) -> bool:
    """A fee was due at submission: the dossier's fee total minus the financial obligations requested
    later (the only writes that raise it) — fixed, whenever it is computed."""
    requested = sum(
        int(fee.get("amount_vnd") or 0)
        for e in events
        if e.action == EventKind.REQUEST_PAYMENT
        for fee in (e.data.get("fees") or ())
    )
    return fees_total - requested > 0


def _digitised(components: int, with_file: int) -> bool:
    return components > 0 and components == with_file


def _facts(row: Sequence[Any], events: Sequence[EventFact], components: tuple[int, int]) -> DossierFacts:
    pk, unit_id, receiving_unit_id, procedure_id, channel, fees_total = row
    return DossierFacts(
        dossier_id=pk,
        unit_id=unit_id,
        receiving_unit_id=receiving_unit_id,
        procedure_id=procedure_id,
        channel=channel,
        initial_fees=_initial_fees(fees_total, events),
        digitised=_digitised(*components),
    )


_FACT_COLUMNS = ("pk", "competent_unit_id", "receiving_unit_id", "procedure_id", "channel", "fees_total")
_EVENT_COLUMNS = ("seq", "at", "action", "to_state", "data")


def _components(dossier_filter: Q) -> dict[int, tuple[int, int]]:
    rows = (
        DossierComponent.objects.filter(dossier_filter, is_supplement=False)
        .values("dossier_id")
        .order_by()
        .annotate(n=Count("pk"), files=Count("pk", filter=~Q(file_sha256="")))
    )
    return {r["dossier_id"]: (r["n"], r["files"]) for r in rows}


# Incremental path
# --------------------------------------------------------------------------------------------------


def aggregates_event_apply(*, dossier_id: int, seq: int) -> bool:
    """Add what event ``seq`` of the dossier changes to the counters; False when it adds nothing
    (already in the last rebuild, or not found). Call inside the job's transaction (atomic)."""
    with transaction.atomic():
        # Locked: the dossier's fee total and its events are read as one consistent state.
        row = Dossier.objects.select_for_update().filter(pk=dossier_id).values_list(*_FACT_COLUMNS).first()
        if row is None:
            return False
        rows = list(
            DossierEvent.objects.filter(dossier_id=dossier_id)
            .order_by("seq")
            .values_list("pk", *_EVENT_COLUMNS)
        )
        position = next((i for i, r in enumerate(rows) if r[1] == seq), None)
        if position is None:
            return False
        mark = RebuildMark.objects.order_by("-pk").values_list("events_upto_id", flat=True).first()
        if mark is not None and rows[position][0] <= mark:
            return False
        events = [EventFact(*r[1:]) for r in rows]
        facts = _facts(row, events, _components(Q(dossier_id=dossier_id)).get(dossier_id, (0, 0)))
        counts, durations = contribution_delta(facts, events[:position], events[: position + 1])
        aggregates_apply(facts=facts, counts=counts, durations=durations)
        return True


def aggregates_apply(*, facts: DossierFacts, counts: Counts, durations: Durations) -> None:
    """Add ``counts`` and ``durations`` of one dossier to the daily and monthly rows (upserts, in key
    order so that concurrent jobs lock rows in the same order)."""
    key = (facts.unit_id, facts.receiving_unit_id, facts.procedure_id, facts.channel)
    unit_key = (facts.unit_id, facts.receiving_unit_id, facts.channel)
    if counts:
        monthly: dict[date, dict[str, int]] = {}
        for day, row in counts.items():
            target = monthly.setdefault(month_start(day), {})
            for name, value in row.items():
                target[name] = target.get(name, 0) + value
        _upsert(
            DailyAggregate,
            "day",
            [(day, *key, *_values(row)) for day, row in sorted(counts.items())],
            COUNTERS,
        )
        _upsert(
            MonthlyAggregate,
            "month",
            [(m, *key, *_values(row)) for m, row in sorted(monthly.items())],
            COUNTERS,
        )
        # The same contribution without the procedure (a dossier has one): the (month, unit, receiving
        # unit, channel) rollup moves with the monthly rows in this transaction.
        _upsert(
            MonthlyUnitAggregate,
            "month",
            [(m, *unit_key, *_values(row)) for m, row in sorted(monthly.items())],
            COUNTERS,
            key=_UNIT_KEY,
        )
    if durations:
        by_month: dict[tuple[date, int], int] = {}
        for (day, bucket), n in durations.items():
            by_month[(month_start(day), bucket)] = by_month.get((month_start(day), bucket), 0) + n
        _upsert(
            DailyDuration,
            "day",
            [(d, *key, b, n) for (d, b), n in sorted(durations.items())],
            ("count",),
            ("bucket",),
        )
        _upsert(
            MonthlyDuration,
            "month",
            [(m, *key, b, n) for (m, b), n in sorted(by_month.items())],
            ("count",),
            ("bucket",),
        )
        _upsert(
            MonthlyUnitDuration,
            "month",
            [(m, *unit_key, b, n) for (m, b), n in sorted(by_month.items())],
            ("count",),
            ("bucket",),
            key=_UNIT_KEY,
        )


def _values(row: dict[str, int]) -> list[int]:
    return [row.get(name, 0) for name in COUNTERS]


def _upsert(
    model: type[Any],
    period: str,
    rows: list[tuple[Any, ...]],
    columns: Sequence[str],
    extra_key: Sequence[str] = (),
    *,
    key: Sequence[str] = _KEY,
) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key = (period, *key, *extra_key)
    names = (*key, *columns)
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in columns)
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))}) "
        f"ON CONFLICT ({', '.join(quote(k) for k in key)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# Rebuild
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RebuildResult:
    dossiers: int
    events: int
    daily_rows: int
    monthly_rows: int
    events_upto_id: int
    since: date | None


def aggregates_rebuild(
    *,
    since: date | None = None,
    batch: int = 5_000,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> RebuildResult:
    """Recompute the aggregates from the dossiers' events — tính lại số liệu tổng hợp.

    Whole history (``since`` None): every row is replaced. ``since``: the rows from the first day of
    its month on are replaced, by replaying the dossiers that can still add to them (open, or
    resolved, ended or returned since then). One transaction: readers see the old rows or the new,
    never a mix. Events up to the largest id at the start are counted and recorded in
    ``RebuildMark``, so that a subscriber job for one of them that runs later adds nothing.

    ``workers``: processes that replay ranges of ``batch`` dossiers (default: one per CPU on
    PostgreSQL outside a transaction, else this process alone). Replaying is Python work, ~0.3 ms a
    dossier; this process only stages what they return and writes the sums.
    """
    first = month_start(since) if since is not None else None
    postgres = connection.vendor == "postgresql"
    if workers is None:
        # Other processes cannot see a caller's open transaction (a test's, say), nor can SQLite
        # take a second writer: then everything happens here.
        workers = (os.cpu_count() or 1) if postgres and not in_transaction() else 1
    ranges = _dossier_ranges(first, batch)
    pool = None
    if workers > 1 and len(ranges) > 1:
        # Forked before this process opens its transaction: a child must never share the parent's
        # database connection (each opens its own).
        connections.close_all()
        pool = multiprocessing.get_context("fork").Pool(min(workers, len(ranges)))
    try:
        with transaction.atomic():
            upto = DossierEvent.objects.aggregate(m=Max("pk"))["m"] or 0
            _aggregates_delete(first)
            stage = _Stage()
            stage.create()
            tasks = [(lo, hi, first, upto) for lo, hi in ranges]
            replayed: Iterable[_Replayed] = (
                pool.imap_unordered(_range_replay_in_worker, tasks)
                if pool is not None
                else (_range_replay(*task) for task in tasks)
            )
            n_dossiers = n_events = 0
            for part in replayed:
                n_dossiers += part.dossiers
                n_events += part.events
                stage.add(part.daily, part.durations)
                if progress is not None:
                    progress(part.dossiers)
            daily_count, monthly_count = stage.finish()
            unit_rollups_fill(since=first)
            # The extensions' counters of the 766 index, from their raw rows.
            sync_counts_rebuild(since=first)
            dossier_counts_rebuild(since=first)
            lookup_counts_rebuild(since=first)
            RebuildMark.objects.all().delete()
            RebuildMark.objects.create(
                events_upto_id=upto, since=first, rebuilt_at=timezone.now(), dossiers=n_dossiers
            )
    finally:
        if pool is not None:
            # Every result has been read on success; on an error the ranges still queued are moot.
            pool.terminate()
            pool.join()
    return RebuildResult(
        dossiers=n_dossiers,
        events=n_events,
        daily_rows=daily_count,
        monthly_rows=monthly_count,
        events_upto_id=upto,
        since=first,
    )


def _rebuilt_dossiers(first: date | None) -> QuerySet[Dossier]:
    """The dossiers a rebuild from ``first`` replays (all when None)."""
    dossiers = Dossier.objects.all()
    if first is not None:
        start = _local_midnight(first)
        dossiers = dossiers.filter(
            Q(is_open=True)
            | Q(finished_at__gte=start)
            | Q(returned_at__gte=start)
            | Q(submitted_at__gte=start)
        )
    return dossiers


def _dossier_ranges(first: date | None, batch: int) -> list[tuple[int, int | None]]:
    """Ranges of dossier ids holding ``batch`` rebuilt dossiers each; the last one is open-ended, so
    a dossier created before the rebuild's transaction starts is still replayed."""
    ids = _rebuilt_dossiers(first).order_by("pk").values_list("pk", flat=True)
    starts = [pk for n, pk in enumerate(ids.iterator(chunk_size=50_000)) if n % batch == 0]
    if not starts:
        return []
    return [(lo, hi - 1) for lo, hi in itertools.pairwise(starts)] + [(starts[-1], None)]


def _aggregates_delete(first: date | None) -> None:
    for model, column in (
        (DailyAggregate, "day"),
        (MonthlyAggregate, "month"),
        (DailyDuration, "day"),
        (MonthlyDuration, "month"),
        (MonthlyUnitAggregate, "month"),
        (MonthlyUnitDuration, "month"),
    ):
        rows = model.objects.all()
        if first is not None:
            rows = rows.filter(**{f"{column}__gte": first})
        rows.delete()


@dataclass(frozen=True, slots=True)
class _Replayed:
    """What a range of dossiers adds: daily counters and duration buckets by (day, *key[, bucket])."""

    dossiers: int
    events: int
    daily: dict[tuple[Any, ...], list[int]]
    durations: dict[tuple[Any, ...], int]


def _range_replay(lo: int, hi: int | None, first: date | None, upto: int) -> _Replayed:
    """Replay the events (ids up to ``upto``) of the rebuilt dossiers with ids in [lo, hi]."""
    rows = _rebuilt_dossiers(first).filter(pk__gte=lo)
    if hi is not None:
        rows = rows.filter(pk__lte=hi)
    chunk = list(rows.order_by("pk").values_list(*_FACT_COLUMNS))
    in_range = Q(dossier_id__gte=lo) if hi is None else Q(dossier_id__gte=lo, dossier_id__lte=hi)
    if first is not None:
        # From ``since`` on, the rebuilt dossiers are sparse among the ids (the open ones and those
        # finished lately): a range of ``batch`` of them can span most of the table, whose other
        # dossiers' events must not be read.
        in_range &= Q(dossier_id__in=rows.values("pk"))
    components = _components(in_range)
    events: dict[int, list[EventFact]] = {}
    n_events = 0
    for dossier_id, *fields in (
        DossierEvent.objects.filter(in_range, pk__lte=upto)
        .order_by("dossier_id", "seq")
        .values_list("dossier_id", *_EVENT_COLUMNS)
        .iterator(chunk_size=20_000)
    ):
        events.setdefault(dossier_id, []).append(EventFact(*fields))
        n_events += 1
    daily: dict[tuple[Any, ...], list[int]] = {}
    durations: dict[tuple[Any, ...], int] = {}
    for row in chunk:
        history = events.get(row[0], [])
        facts = _facts(row, history, components.get(row[0], (0, 0)))
        counts, dossier_durations = dossier_contribution(facts, history)
        key = (facts.unit_id, facts.receiving_unit_id, facts.procedure_id, facts.channel)
        for day, values in counts.items():
            if first is not None and day < first:
                continue
            acc = daily.get((day, *key))
            if acc is None:
                acc = daily[(day, *key)] = [0] * len(COUNTERS)
            for i, name in enumerate(COUNTERS):
                acc[i] += values.get(name, 0)
        for (day, bucket), count in dossier_durations.items():
            if first is not None and day < first:
                continue
            durations[(day, *key, bucket)] = durations.get((day, *key, bucket), 0) + count
    return _Replayed(dossiers=len(chunk), events=n_events, daily=daily, durations=durations)


def _range_replay_in_worker(task: tuple[int, int | None, date | None, int]) -> _Replayed:
    try:
        return _range_replay(*task)
    finally:
        # The pool's processes live as long as the rebuild; the connection is theirs to close.
        connections.close_all()


def unit_rollups_fill(*, since: date | None = None) -> None:
    """Write ``MonthlyUnitAggregate`` and ``MonthlyUnitDuration`` (from the month ``since`` on, or all)
    as the GROUP BY of the monthly rows without the procedure — their definition. The rebuild calls
    it after writing the monthly rows; the caller deletes the rows it replaces. All-zero sums are not
    written, like the rebuild's other rows."""
    quote = connection.ops.quote_name
    where, params = ("WHERE month >= %s", [since.isoformat()]) if since is not None else ("", [])
    sums = ", ".join(f"SUM({quote(c)})" for c in COUNTERS)
    nonzero = " OR ".join(f"SUM({quote(c)}) <> 0" for c in COUNTERS)
    names = ", ".join(quote(c) for c in ("month", *_UNIT_KEY, *COUNTERS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(MonthlyUnitAggregate._meta.db_table)} ({names}) "
            f"SELECT month, unit_id, receiving_unit_id, channel, {sums} "
            f"FROM {quote(MonthlyAggregate._meta.db_table)} "
            f"{where} GROUP BY month, unit_id, receiving_unit_id, channel HAVING {nonzero}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {quote(MonthlyUnitDuration._meta.db_table)} "
            "(month, unit_id, receiving_unit_id, channel, bucket, count) "
            "SELECT month, unit_id, receiving_unit_id, channel, bucket, SUM(count) "
            f"FROM {quote(MonthlyDuration._meta.db_table)} {where} "
            "GROUP BY month, unit_id, receiving_unit_id, channel, bucket HAVING SUM(count) <> 0",
            params,
        )


def _local_midnight(day: date) -> datetime:
    from motcua.dossiers.deadlines import local_zone

    return datetime.combine(day, time.min, tzinfo=local_zone())


class _Stage:
    """Daily partial sums of each chunk of dossiers, staged in temporary tables (COPY on PostgreSQL)
    and summed into the daily tables at the end: a (day, unit, receiving unit, procedure, channel) gets
    contributions from dossiers of many chunks (a dossier received in March, resolved in April)."""

    AGG = "reports_stage_daily"
    DUR = "reports_stage_duration"

    def create(self) -> None:
        counters = ", ".join(f"{c} bigint" for c in COUNTERS)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.AGG}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.DUR}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.AGG} (day date, unit_id bigint, receiving_unit_id bigint, "
                f"procedure_id bigint, channel varchar(16), {counters})"
            )
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.DUR} (day date, unit_id bigint, receiving_unit_id bigint, "
                "procedure_id bigint, channel varchar(16), bucket integer, count bigint)"
            )

    def add(self, daily: dict[tuple[Any, ...], list[int]], durations: dict[tuple[Any, ...], int]) -> None:
        rows_insert(
            self.AGG,
            ("day", *_KEY, *COUNTERS),
            ((d.isoformat(), *k, *v) for (d, *k), v in daily.items() if any(v)),
        )
        rows_insert(
            self.DUR,
            ("day", *_KEY, "bucket", "count"),
            ((d.isoformat(), *k, n) for (d, *k), n in durations.items() if n),
        )

    def finish(self) -> tuple[int, int]:
        """Sum the staged partials into the daily rows and, by month, into the monthly rows; drop the
        stage. Returns the daily and monthly row counts."""
        quote = connection.ops.quote_name
        key = ", ".join(_KEY)
        month = (
            "CAST(date_trunc('month', day) AS date)"
            if connection.vendor == "postgresql"
            else "date(day, 'start of month')"
        )
        # (stage, columns after the key, their sums, extra grouping, non-zero test)
        counters = (
            self.AGG,
            COUNTERS,
            ", ".join(f"SUM({c})" for c in COUNTERS),
            "",
            " OR ".join(f"SUM({c}) <> 0" for c in COUNTERS),
        )
        buckets = (self.DUR, ("bucket", "count"), "bucket, SUM(count)", ", bucket", "SUM(count) <> 0")
        inserted: list[int] = []
        with connection.cursor() as cursor:
            for table, period_column, period, (stage, measures, values, extra, nonzero) in (
                (DailyAggregate, "day", "day", counters),
                (MonthlyAggregate, "month", month, counters),
                (DailyDuration, "day", "day", buckets),
                (MonthlyDuration, "month", month, buckets),
            ):
                names = ", ".join(quote(c) for c in (period_column, *_KEY, *measures))
                cursor.execute(
                    f"INSERT INTO {quote(table._meta.db_table)} ({names}) "
                    f"SELECT {period}, {key}, {values} FROM {stage} "
                    f"GROUP BY {period}, {key}{extra} HAVING {nonzero}"
                )
                inserted.append(cursor.rowcount)
            cursor.execute(f"DROP TABLE {self.AGG}")
            cursor.execute(f"DROP TABLE {self.DUR}")
        return inserted[0], inserted[1]
