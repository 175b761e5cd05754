"""A hand-built month of dossiers through the real engine, with the figures worked out by hand.

Commune-level procedure of the test world: 3 working days (due Monday 09:00 → Thursday 09:00), fee
50,000 đ. Events of March 2026 (all local time), plus one dossier received in February:

=== ======================================================= ==========================================
D0  received Fri 27/2 09:00, resolved Tue 3/3 09:00           carried over; early; 2 working days
D1  received Mon 2/3 09:00, resolved 10:00                     early; 1 working hour
D2  received Mon 2/3 09:00, resolved Thu 5/3 09:00 = due       on time (exactly at the due time); 3 days
D3  received Mon 2/3 09:00, resolved Fri 6/3 10:00             late; 4 days 1 hour
D4  received Mon 2/3, supplement requested Tue 3/3             in progress, paused at the end of March
D5  received Mon 2/3, extended Tue 3/3 to Tue 10/3 17:00        in progress, overdue at the end of March
D6  received Mon 2/3, withdrawn Tue 3/3                        withdrawn
D7  submitted online Mon 2/3, refused                          refused, never received
D8  received Tue 31/3 09:00                                    in progress, not yet due (due 3/4)
D9  procedure without fees, received Mon 2/3, resolved 10:00   early; 1 working hour; no fee
=== ======================================================= ==========================================
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q, Sum

from motcua.dossiers import services
from motcua.dossiers.deadlines import local_zone
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import (
    World,
    dossier_advance,
    dossier_receive_at_counter,
    dossier_submit,
    procedure_with_process,
    vn,
)
from motcua.feedback import services as feedback_services
from motcua.feedback.models import FeedbackKind, RatingLevel
from motcua.reports.models import (
    COUNTERS,
    DailyAggregate,
    DailyDuration,
    MonthlyAggregate,
    MonthlyDuration,
    MonthlyUnitAggregate,
    MonthlyUnitDuration,
)
from motcua.reports.periods import Period
from motcua.reports.selectors import Share, statistics, statistics_by_procedure, statistics_by_unit
from motcua.reports.services import aggregates_rebuild
from motcua.reports.tests.conftest import aggregate_jobs_run

pytestmark = pytest.mark.django_db


def _resolve(world: World, d: Any) -> Any:
    return dossier_advance(world, d, to="result_ready")


def build_march(world: World, clock: Any) -> dict[str, Any]:
    d: dict[str, Any] = {}
    clock.move_to(vn(2026, 2, 27, 9))
    d["D0"] = dossier_receive_at_counter(world)
    clock.move_to(vn(2026, 3, 2, 9))
    for key in ("D1", "D2", "D3", "D4", "D5", "D6"):
        d[key] = dossier_receive_at_counter(world)
    free = procedure_with_process(fee_vnd=None, name="Thủ tục không thu phí")
    d["D9"] = dossier_receive_at_counter(world, procedure=free)
    d["D7"] = dossier_submit(world, key="march-online")
    d["D7"] = services.dossier_refuse(
        actor=world.lan, dossier=d["D7"], row_version=d["D7"].row_version, reason="Không thuộc thẩm quyền"
    )
    clock.move_to(vn(2026, 3, 2, 10))
    d["D1"] = _resolve(world, d["D1"])
    d["D9"] = _resolve(world, d["D9"])
    clock.move_to(vn(2026, 3, 3, 9))
    d["D0"] = _resolve(world, d["D0"])
    d4 = dossier_advance(world, d["D4"], to="appraisal")
    d["D4"] = services.dossier_request_supplement(
        actor=world.minh,
        dossier=d4,
        row_version=d4.row_version,
        items=[services.RequestedItem("Bản sao giấy khai sinh", "Bản chụp bị mờ")],
        reason="Hồ sơ thiếu giấy tờ",
    )
    d["D5"] = services.dossier_extend(
        actor=world.lan,
        dossier=d["D5"],
        row_version=d["D5"].row_version,
        new_due_at=vn(2026, 3, 10, 17),
        reason="Cần xác minh thực địa",
    )
    d["D6"] = services.dossier_withdraw(
        actor=world.lan, dossier=d["D6"], row_version=d["D6"].row_version, reason="Người nộp xin rút"
    )
    clock.move_to(vn(2026, 3, 5, 9))
    d["D2"] = _resolve(world, d["D2"])
    clock.move_to(vn(2026, 3, 6, 10))
    d["D3"] = _resolve(world, d["D3"])
    feedback_services.rating_create(actor=world.an, dossier=d["D1"], level=RatingLevel.VERY_SATISFIED)
    feedback_services.rating_create(actor=world.an, dossier=d["D2"], level=RatingLevel.UNSATISFIED)
    complaint = feedback_services.feedback_create(
        actor=world.an, dossier=d["D3"], kind=FeedbackKind.COMPLAINT, content="Giải quyết chậm"
    )
    clock.move_to(vn(2026, 3, 9, 9))
    feedback_services.feedback_answer(
        actor=world.minh, feedback=complaint, answer="Xin lỗi ông, đã khắc phục."
    )
    clock.move_to(vn(2026, 3, 31, 9))
    d["D8"] = dossier_receive_at_counter(world)
    clock.move_to(vn(2026, 4, 6, 9))
    return d


def _rows(model: Any, period: str) -> set[tuple[Any, ...]]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    rows = set()
    for values in model.objects.values_list(*fields):
        named = dict(zip(fields, values, strict=True))
        counters = [
            v
            for k, v in named.items()
            if k not in (period, "unit_id", "receiving_unit_id", "procedure_id", "channel", "bucket")
        ]
        if any(counters):
            rows.add(tuple(values))
    return rows


def aggregate_rows() -> dict[str, set[tuple[Any, ...]]]:
    """Every non-zero aggregate row (all-zero rows are what a cancelled delta leaves behind)."""
    return {
        "daily": _rows(DailyAggregate, "day"),
        "monthly": _rows(MonthlyAggregate, "month"),
        "daily_duration": _rows(DailyDuration, "day"),
        "monthly_duration": _rows(MonthlyDuration, "month"),
        "monthly_unit": _rows(MonthlyUnitAggregate, "month"),
        "monthly_unit_duration": _rows(MonthlyUnitDuration, "month"),
    }


def unit_rollups_expected() -> dict[str, set[tuple[Any, ...]]]:
    """The rollups as their definition says: the monthly rows grouped without the procedure."""
    expected: dict[str, set[tuple[Any, ...]]] = {}
    for name, source, target, counters in (
        ("monthly_unit", MonthlyAggregate, MonthlyUnitAggregate, COUNTERS),
        ("monthly_unit_duration", MonthlyDuration, MonthlyUnitDuration, ("count",)),
    ):
        fields = [f.attname for f in target._meta.concrete_fields if f.attname != "id"]
        keys = [f for f in fields if f not in counters]
        grouped = source.objects.values(*keys).order_by().annotate(**{f"sum_{c}": Sum(c) for c in counters})
        expected[name] = {
            tuple(row[f] if f in keys else row[f"sum_{f}"] for f in fields)
            for row in grouped
            if any(row[f"sum_{c}"] for c in counters)
        }
    return expected


def test_march_figures_by_hand(world: World, clock: Any) -> None:
    build_march(world, clock)
    assert aggregate_jobs_run() > 0
    s = statistics(period=Period.month(2026, 3), unit=world.province)

    assert (s.carried_over, s.received_new, s.received_total) == (1, 8, 9)
    assert (s.resolved_early, s.resolved_on_time, s.resolved_late, s.resolved) == (3, 1, 1, 5)
    assert (s.in_progress, s.in_progress_overdue, s.in_progress_paused, s.in_progress_not_due) == (3, 1, 1, 1)
    assert (s.supplement_requested, s.extended, s.withdrawn, s.refused, s.stopped) == (1, 1, 1, 1, 0)
    assert s.on_time == Share(4, 5)
    assert s.late == Share(1, 5)
    assert s.online == Share(0, 8)
    assert s.digitised == Share(0, 8)
    assert s.online_payment == Share(0, 7)  # D9 has no fee
    assert s.electronic_results == Share(5, 5)
    # (1 + 24 + 33 + 16 + 1) working hours ÷ 5 = 15 h = 1.875 days.
    assert s.processing_days_mean == Decimal("1.88")
    # Exact median 16 h = 2 days; the histogram's (1-hour buckets) 16.5 h.
    assert s.processing_days_median == Decimal("2.06")
    assert dict(s.duration_histogram) == {1: 2, 16: 1, 24: 1, 33: 1}
    assert (s.satisfaction.very_satisfied, s.satisfaction.unsatisfied) == (1, 1)
    assert s.satisfaction.satisfied_share == Share(1, 2)
    assert s.feedback_on_time == Share(1, 1)
    assert s.complaints == 1

    february = statistics(period=Period.month(2026, 2), unit=world.province)
    assert (february.carried_over, february.received_new, february.in_progress) == (0, 1, 1)
    april = statistics(period=Period.month(2026, 4), unit=world.province)
    assert (april.carried_over, april.received_new, april.resolved) == (3, 0, 0)
    # D8 is due Fri 3/4 09:00: overdue at the end of April; D5 still overdue.
    assert (april.in_progress, april.in_progress_overdue, april.in_progress_paused) == (3, 2, 1)

    # A custom range inside the month reads daily rows: 2–3 March.
    early = statistics(period=Period.custom(date(2026, 3, 2), date(2026, 3, 3)), unit=world.province)
    assert (early.carried_over, early.received_new, early.resolved_early, early.withdrawn) == (1, 7, 3, 1)
    assert (early.in_progress, early.in_progress_paused) == (4, 1)

    # The unit tree: everything is the commune's; the other commune has nothing.
    by_unit = statistics_by_unit(period=Period.month(2026, 3), units=[world.commune_a, world.commune_b])
    assert [row.received_new for row in by_unit] == [8, 0]
    assert by_unit[0].on_time == Share(4, 5)
    free = statistics_by_procedure(period=Period.month(2026, 3), unit=world.province)
    assert sorted(row.received_new for row in free) == [1, 7]


def test_rebuild_gives_the_incremental_rows(world: World, clock: Any) -> None:
    build_march(world, clock)
    aggregate_jobs_run(reverse=True)  # any order: the deltas telescope
    incremental = aggregate_rows()
    assert incremental["daily"]
    assert incremental["monthly_unit"]
    assert incremental["monthly_unit_duration"]
    assert {k: incremental[k] for k in unit_rollups_expected()} == unit_rollups_expected()
    result = aggregates_rebuild()
    assert result.dossiers == 10
    assert aggregate_rows() == incremental
    # A job that runs after the rebuild for an event it already counted adds nothing.
    stats = statistics(period=Period.month(2026, 3), unit=world.province)
    assert stats.received_new == 8
    # --since replaces the rows from the start of that month on with the same numbers.
    aggregates_rebuild(since=date(2026, 3, 15))
    assert aggregate_rows() == incremental


def test_rebuild_since_reads_only_the_events_of_the_dossiers_it_replays(world: World, clock: Any) -> None:
    """From ``since`` on, the replayed dossiers (open, or finished, returned or submitted since) are
    sparse among the ids; a range of them must not read the events of the dossiers in between."""
    build_march(world, clock)
    aggregate_jobs_run()
    incremental = aggregate_rows()
    april = datetime(2026, 4, 1, tzinfo=local_zone())
    replayed = Dossier.objects.filter(
        Q(is_open=True) | Q(finished_at__gte=april) | Q(returned_at__gte=april) | Q(submitted_at__gte=april)
    )
    first_replayed = replayed.order_by("pk").values_list("pk", flat=True).first()
    skipped = Dossier.objects.exclude(pk__in=replayed.values("pk")).filter(pk__gt=first_replayed)
    assert skipped.exists()  # one range over all the replayed dossiers holds dossiers not replayed
    result = aggregates_rebuild(since=date(2026, 4, 1), batch=1_000)
    assert result.dossiers == replayed.count()
    assert result.events == DossierEvent.objects.filter(dossier__in=replayed).count()
    assert aggregate_rows() == incremental


@pytest.mark.django_db(transaction=True)
def test_rebuild_in_worker_processes_gives_the_same_rows(world: World, clock: Any) -> None:
    """On PostgreSQL the rebuild replays ranges of dossiers in forked processes, each on its own
    connection (committed data: hence a transactional test); the rows must be the single-process
    rebuild's, here with ranges of three dossiers over two processes."""
    if connection.vendor != "postgresql":
        pytest.skip("the rebuild runs in one process on SQLite")
    build_march(world, clock)
    aggregate_jobs_run()
    incremental = aggregate_rows()
    result = aggregates_rebuild(batch=3, workers=2)
    assert (result.dossiers, result.daily_rows) == (10, len(incremental["daily"]))
    assert aggregate_rows() == incremental
    aggregates_rebuild(since=date(2026, 3, 15), batch=2, workers=2)
    assert aggregate_rows() == incremental


def test_statistics_query_count(world: World, clock: Any, django_assert_max_num_queries: Any) -> None:
    build_march(world, clock)
    aggregate_jobs_run()
    with django_assert_max_num_queries(10):
        statistics(period=Period.quarter(2026, 1), unit=world.province)
    units = [world.commune_a, world.commune_b, world.department, world.province_centre]
    with django_assert_max_num_queries(10):
        statistics_by_unit(period=Period.custom(date(2026, 2, 20), date(2026, 3, 20)), units=units)
