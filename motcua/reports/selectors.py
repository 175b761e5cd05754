"""Reads of the reports — số liệu thống kê: statistics per unit, field, procedure, channel and period.

The public read API of the reports app (dashboards, exports, the public page and open data build on
it): ``statistics``, ``statistics_by_unit``, ``statistics_by_procedure``, ``statistics_by_month`` and
their result ``Statistics``; the Decision 766 index is in ``index766`` (``index766_for``,
``index766_ranking``). Every figure comes from the aggregates (``models``), never from a scan of the
dossier table: a month, quarter or year reads the monthly rows, only the partial months at the edges
of a custom range read daily rows. Ratings and feedback are read from their own tables at read time
(see ``_ratings`` for why).

Two scopes, which combine: ``unit`` — the dossiers DECIDED by that unit or its descendants (competent
unit, cơ quan giải quyết) — and ``received_at`` — the dossiers RECEIVED at that unit or its descendants
(receiving unit: a service centre's counter, or the centre an online dossier was submitted to). A
centre decides nothing, so its report is ``received_at=centre``; ``statistics_by_unit(units=deciding
units, received_at=centre)`` is then what came through the centre, per deciding agency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from motcua.catalog.models import Procedure, ServiceLevel
from motcua.core.dbrouter import reads_from_replica
from motcua.dossiers.models import Channel
from motcua.feedback.models import Feedback, FeedbackKind, FeedbackStatus, Rating, RatingLevel
from motcua.org.models import Unit
from motcua.reports.facts import DURATION_BUCKETS, bucket_bounds_hours
from motcua.reports.models import (
    COUNTERS,
    DailyAggregate,
    DailyDuration,
    MonthlyAggregate,
    MonthlyDuration,
    MonthlyUnitAggregate,
    MonthlyUnitDuration,
)
from motcua.reports.periods import Period, PeriodKind, month_start, next_month
from motcua.worktime.selectors import get_schedule

# Channels that count as online submission (nộp trực tuyến): the province's portal and DVCQG.
ONLINE_CHANNELS: frozenset[str] = frozenset({Channel.ONLINE, Channel.DVCQG})

_FLOWS = tuple(c for c in COUNTERS if not c.endswith("_delta"))
_LEVELS = tuple(c for c in COUNTERS if c.endswith("_delta"))


# Result types
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Share:
    """A share as its two counts — tỷ lệ = tử số / mẫu số — so that a table can show both and a total
    can be summed correctly (never an average of percentages)."""

    numerator: int
    denominator: int

    @property
    def rate(self) -> Decimal | None:
        """numerator ÷ denominator (0–1, exact Decimal to 6 places); None when the denominator is 0."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator) / Decimal(self.denominator)).quantize(Decimal("0.000001"))

    @property
    def percent(self) -> Decimal | None:
        """The rate in percent, 2 decimal places (half up); None when the denominator is 0."""
        if not self.denominator:
            return None
        return (Decimal(100 * self.numerator) / Decimal(self.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    def __add__(self, other: Share) -> Share:
        return Share(self.numerator + other.numerator, self.denominator + other.denominator)


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """Ratings given in the period — mức độ hài lòng (the three levels of the national survey)."""

    very_satisfied: int = 0
    satisfied: int = 0
    unsatisfied: int = 0

    @property
    def total(self) -> int:
        return self.very_satisfied + self.satisfied + self.unsatisfied

    @property
    def satisfied_share(self) -> Share:
        """Satisfied or very satisfied ÷ all ratings (766: satisfaction with handling)."""
        return Share(self.very_satisfied + self.satisfied, self.total)


@dataclass(frozen=True, slots=True)
class Statistics:
    """Every figure of issue 14 item 1 for one scope and period — báo cáo tình hình giải quyết TTHC.

    Scope: ``unit`` with its descendants (None: the whole province), optionally one field
    (``field_id``), procedure (``procedure_id``) and channel (``channel``), and ``received_at_id``: only
    the dossiers received at that unit or its descendants (a service centre; None: wherever). ``key``
    is the grouping key when the result is one row of ``statistics_by_*`` (a unit id, a procedure id,
    a month's first day).

    Counts of dossiers (hồ sơ):

    * ``carried_over`` — received before the period and still being processed at its start (kỳ trước
      chuyển sang); ``received_new`` — received in the period (tiếp nhận mới); ``received_total`` the sum.
    * ``resolved_early`` / ``resolved_on_time`` / ``resolved_late`` — resolved in the period (result
      ready, đã giải quyết; approval or reasoned rejection, ``rejected`` among them) by outcome.
    * ``in_progress`` — received and not resolved, withdrawn or stopped at the end of the period,
      split into ``in_progress_overdue`` (clock running, due time passed), ``in_progress_paused`` (clock
      stopped: supplement or financial obligation) and ``in_progress_not_due`` (the rest).
    * Events in the period: ``supplement_requested``, ``payment_requested``, ``extended``, ``refused``
      (online dossiers not received), ``withdrawn``, ``stopped``, ``returned`` (results handed over).

    Shares (``Share``: numerator and denominator):

    * ``on_time`` — resolved early or on time ÷ resolved.
    * ``online`` — received online (portal, DVCQG) ÷ received.
    * ``full_online`` — received online ÷ received, among procedures whose service level is full-online.
    * ``digitised`` — received with every component stored as a file ÷ received.
    * ``electronic_results`` — resolved with a signed result file ÷ resolved.
    * ``online_payment`` — received and paid online ÷ received with fees.
    * ``feedback_on_time`` — feedback answered by its due time ÷ feedback answered in the period or
      left unanswered past a due time in the period.

    Processing time (thời gian giải quyết) in working days, from receipt to resolution with clock stops
    excluded: ``processing_days_mean`` (exact) and ``processing_days_median`` (from the histogram
    ``duration_histogram``, (bucket, count) pairs; bucket rule in ``facts.duration_bucket``: within
    half an hour below 10 working days). ``satisfaction``: ratings given in the period; ``complaints``:
    complaints (phản ánh) received in the period.
    """

    period: Period
    unit_id: int | None
    field_id: int | None
    procedure_id: int | None
    channel: str | None
    key: Any
    carried_over: int
    received_new: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    rejected: int
    in_progress: int
    in_progress_overdue: int
    in_progress_paused: int
    supplement_requested: int
    payment_requested: int
    extended: int
    refused: int
    withdrawn: int
    stopped: int
    returned: int
    online: Share
    full_online: Share
    digitised: Share
    electronic_results: Share
    online_payment: Share
    processing_days_mean: Decimal | None
    processing_days_median: Decimal | None
    duration_histogram: tuple[tuple[int, int], ...]
    satisfaction: Satisfaction
    feedback_on_time: Share
    complaints: int
    received_at_id: int | None = None

    @property
    def received_total(self) -> int:
        return self.carried_over + self.received_new

    @property
    def resolved(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def in_progress_not_due(self) -> int:
        return self.in_progress - self.in_progress_overdue - self.in_progress_paused

    @property
    def on_time(self) -> Share:
        return Share(self.resolved_early + self.resolved_on_time, self.resolved)

    @property
    def late(self) -> Share:
        return Share(self.resolved_late, self.resolved)


# Public selectors
# --------------------------------------------------------------------------------------------------


@reads_from_replica()
def statistics(
    *,
    period: Period,
    unit: Unit | int | None = None,
    field_id: int | None = None,
    procedure_id: int | None = None,
    channel: str | None = None,
    received_at: Unit | int | None = None,
) -> Statistics:
    """Statistics of ``unit`` and its descendants (None: the province) over ``period``; with
    ``received_at``, of the dossiers received at that unit (a centre) and its descendants.

    At most 10 queries whatever the scope and period (6 for a month, quarter or year).
    """
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    scope = _Scope.of(
        unit_id=unit_id,
        field_id=field_id,
        procedure_id=procedure_id,
        channel=channel,
        received_at_id=_pk(received_at),
    )
    groups = _compute(scope, period, group="all")
    return _statistics(scope, period, key=None, data=groups.get(None, _Group()))


@reads_from_replica()
def statistics_by_unit(
    *,
    period: Period,
    units: Sequence[Unit],
    field_id: int | None = None,
    procedure_id: int | None = None,
    channel: str | None = None,
    received_at: Unit | int | None = None,
    own_only: bool = False,
) -> list[Statistics]:
    """One ``Statistics`` per unit of ``units`` (each rolling up its descendants, or alone with
    ``own_only``: a centre's table of deciding agencies, where the province committee would else
    repeat every department's dossiers), in the given order.

    The same queries as ``statistics`` for any number of units (grouped by the dossiers' unit, rolled
    up in memory): the rankings of the 54 communes and of the departments use it. With
    ``received_at`` (a centre): only the dossiers received there, per deciding unit.
    """
    tree = _unit_tree()
    received_at_id = _pk(received_at)
    scope = _Scope.of(
        unit_id=None,
        field_id=field_id,
        procedure_id=procedure_id,
        channel=channel,
        received_at_id=received_at_id,
        tree=tree,
    )
    groups = _compute(scope, period, group="unit")
    rows = []
    for each in units:
        members = [each.pk] if own_only else _descendants(tree, each.pk)
        data = _Group()
        for member in members:
            if member in groups:
                data.add(groups[member])
        unit_scope = _Scope.of(
            unit_id=each.pk,
            field_id=field_id,
            procedure_id=procedure_id,
            channel=channel,
            received_at_id=received_at_id,
            tree=tree,
        )
        if own_only:
            unit_scope = replace(unit_scope, unit_ids=frozenset({each.pk}))
        rows.append(_statistics(unit_scope, period, key=each.pk, data=data))
    return rows


@reads_from_replica()
def statistics_by_procedure(
    *,
    period: Period,
    unit: Unit | int | None = None,
    field_id: int | None = None,
    channel: str | None = None,
    limit: int | None = None,
    received_at: Unit | int | None = None,
) -> list[Statistics]:
    """One ``Statistics`` per procedure with any figure in the scope, most dossiers received first
    (then most overdue): the overdue hot spots and the per-procedure tables. ``key`` is the
    procedure id. ``received_at``: as ``statistics``."""
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    scope = _Scope.of(
        unit_id=unit_id,
        field_id=field_id,
        procedure_id=None,
        channel=channel,
        received_at_id=_pk(received_at),
    )
    groups = _compute(scope, period, group="procedure")
    rows = [
        _statistics(replace(scope, procedure_id=pk), period, key=pk, data=g)
        for pk, g in groups.items()
        if pk is not None
    ]
    rows.sort(key=lambda s: (-s.received_total, -s.in_progress_overdue, s.key))
    return rows[:limit] if limit is not None else rows


@reads_from_replica()
def statistics_by_month(
    *,
    first: date,
    last: date,
    unit: Unit | int | None = None,
    field_id: int | None = None,
    procedure_id: int | None = None,
    channel: str | None = None,
    received_at: Unit | int | None = None,
) -> list[Statistics]:
    """One ``Statistics`` per calendar month from the month of ``first`` to that of ``last`` (trends);
    ``key`` is the month's first day. Two queries per month. ``received_at``: as ``statistics``."""
    rows = []
    month = month_start(first)
    while month <= last:
        period = Period.month(month.year, month.month)
        stats = statistics(
            period=period,
            unit=unit,
            field_id=field_id,
            procedure_id=procedure_id,
            channel=channel,
            received_at=received_at,
        )
        rows.append(_replace_key(stats, month))
        month = next_month(month)
    return rows


def procedures_with(
    *, period: Period, counter: str, unit: Unit | int | None = None, channel: str | None = None
) -> set[int]:
    """Ids of the procedures whose ``counter`` (a flow of ``models.COUNTERS``, e.g. ``with_fees``,
    ``paid_online``) is positive over ``period`` in the scope: two queries on the aggregates."""
    if counter not in _FLOWS:
        raise ValueError(f"unknown counter {counter!r}")
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    scope = _Scope.of(unit_id=unit_id, field_id=None, procedure_id=None, channel=channel)
    ranges = _Ranges.of(period)
    found: set[int] = set()
    for qs in (
        MonthlyAggregate.objects.filter(month__gte=ranges.full_from, month__lt=ranges.full_to),
        DailyAggregate.objects.filter(ranges.flow_days_q()),
    ):
        rows = scope.filter(qs).values("procedure_id").order_by().annotate(n=Sum(counter)).filter(n__gt=0)
        found.update(row["procedure_id"] for row in rows)
    return found


def procedures_by_unit(*, period: Period, counter: str) -> dict[int, set[int]]:
    """Per competent unit (not rolled up), the procedures whose ``counter`` is positive over
    ``period``: at most two queries on the aggregates (flows are counts: never negative on a row)."""
    if counter not in _FLOWS:
        raise ValueError(f"unknown counter {counter!r}")
    ranges = _Ranges.of(period)
    found: dict[int, set[int]] = defaultdict(set)
    tables: list[QuerySet[Any]] = [
        MonthlyAggregate.objects.filter(month__gte=ranges.full_from, month__lt=ranges.full_to)
    ]
    if ranges.flow_day_ranges():
        tables.append(DailyAggregate.objects.filter(ranges.flow_days_q()))
    for qs in tables:
        positive = qs.filter(**{f"{counter}__gt": 0}).values_list("unit_id", "procedure_id").distinct()
        for unit_id, procedure_id in positive.order_by():
            found[unit_id].add(procedure_id)
    return dict(found)


def duration_bucket_label(bucket: int) -> str:
    """ "2–3 giờ", "12–13 ngày", "≥ 60 ngày": the range of a histogram bucket, in working time."""
    low, high = bucket_bounds_hours(bucket)
    day = get_schedule().hours_per_day
    if high is None:
        return f"≥ {_days(Decimal(low) / day)} ngày"
    if high - low < day:
        return f"{low}–{high} giờ"
    return f"{_days(Decimal(low) / day)}–{_days(Decimal(high) / day)} ngày"


def _days(value: Decimal) -> str:
    return f"{value.normalize():f}"


# Internals
# --------------------------------------------------------------------------------------------------


def _pk(unit: Unit | int | None) -> int | None:
    return unit.pk if isinstance(unit, Unit) else unit


@dataclass(frozen=True, slots=True)
class _Scope:
    """Decided by ``unit_ids`` (competent units; None: any) and received at ``receiving_ids`` (None:
    anywhere), each a unit with its descendants."""

    unit_ids: frozenset[int] | None
    unit_id: int | None
    field_id: int | None
    procedure_id: int | None
    channel: str | None
    receiving_ids: frozenset[int] | None = None
    received_at_id: int | None = None

    @classmethod
    def of(
        cls,
        *,
        unit_id: int | None,
        field_id: int | None,
        procedure_id: int | None,
        channel: str | None,
        received_at_id: int | None = None,
        tree: dict[int | None, list[int]] | None = None,
    ) -> _Scope:
        if tree is None and (unit_id is not None or received_at_id is not None):
            tree = _unit_tree()
        unit_ids = None if unit_id is None or tree is None else frozenset(_descendants(tree, unit_id))
        receiving_ids = (
            None if received_at_id is None or tree is None else frozenset(_descendants(tree, received_at_id))
        )
        return cls(unit_ids, unit_id, field_id, procedure_id, channel, receiving_ids, received_at_id)

    def filter(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        if self.unit_ids is not None:
            qs = qs.filter(unit_id__in=sorted(self.unit_ids))
        if self.receiving_ids is not None:
            qs = qs.filter(receiving_unit_id__in=sorted(self.receiving_ids))
        if self.procedure_id is not None:
            qs = qs.filter(procedure_id=self.procedure_id)
        if self.field_id is not None:
            qs = qs.filter(procedure__field_id=self.field_id)
        if self.channel:
            qs = qs.filter(channel=self.channel)
        return qs

    def dossier_q(self, prefix: str) -> Q:
        q = Q()
        if self.unit_ids is not None:
            q &= Q(**{f"{prefix}competent_unit_id__in": sorted(self.unit_ids)})
        if self.receiving_ids is not None:
            q &= Q(**{f"{prefix}receiving_unit_id__in": sorted(self.receiving_ids)})
        if self.procedure_id is not None:
            q &= Q(**{f"{prefix}procedure_id": self.procedure_id})
        if self.field_id is not None:
            q &= Q(**{f"{prefix}procedure__field_id": self.field_id})
        if self.channel:
            q &= Q(**{f"{prefix}channel": self.channel})
        return q


@dataclass
class _Group:
    """Sums of one group: flows of the period, levels at its start and end, and the rest."""

    flows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_FLOWS, 0))
    start: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_LEVELS, 0))
    end: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_LEVELS, 0))
    online_received: int = 0
    eligible_received: int = 0
    eligible_online: int = 0
    histogram: dict[int, int] = field(default_factory=dict)
    ratings: dict[str, int] = field(default_factory=dict)
    feedback_handled: int = 0
    feedback_on_time: int = 0
    complaints: int = 0

    def add(self, other: _Group) -> None:
        for target, source in ((self.flows, other.flows), (self.start, other.start), (self.end, other.end)):
            for name, value in source.items():
                target[name] += value
        self.online_received += other.online_received
        self.eligible_received += other.eligible_received
        self.eligible_online += other.eligible_online
        for bucket, count in other.histogram.items():
            self.histogram[bucket] = self.histogram.get(bucket, 0) + count
        for level, count in other.ratings.items():
            self.ratings[level] = self.ratings.get(level, 0) + count
        self.feedback_handled += other.feedback_handled
        self.feedback_on_time += other.feedback_on_time
        self.complaints += other.complaints


@dataclass(frozen=True, slots=True)
class _Ranges:
    """Which monthly and daily rows make up the flows of the period and the levels at its edges."""

    # Flows: full months [full_from, full_to) from the monthly table, other days from the daily one.
    full_from: date
    full_to: date
    # Levels at the end of day X = monthly rows of months < cut(X) + daily rows of [cut(X), X].
    start_cut: date
    end_cut: date
    first: date
    last: date

    @classmethod
    def of(cls, period: Period) -> _Ranges:
        first, last = period.first, period.last
        full_from = first if first.day == 1 else next_month(month_start(first))
        end_cut = month_start(last + timedelta(days=1))
        # No full month inside the period: an empty [full_from, full_from) range.
        full_to = max(end_cut, full_from)
        return cls(full_from, full_to, month_start(first), end_cut, first, last)

    def flow_day_ranges(self) -> list[tuple[date, date]]:
        """The days (closed ranges) whose flows come from the daily rows: the partial months."""
        if self.full_from >= self.full_to:
            return [(self.first, self.last)]
        one = timedelta(days=1)
        ranges = [(self.first, self.full_from - one), (self.full_to, self.last)]
        return [(a, b) for a, b in ranges if a <= b]

    def flow_days_q(self) -> Q:
        return _days_q(self.flow_day_ranges())

    def daily_ranges(self) -> list[tuple[date, date]]:
        """Every day a daily row is needed for: partial months' flows, and the levels' partial months."""
        one = timedelta(days=1)
        levels = [(self.start_cut, self.first - one), (self.end_cut, self.last)]
        return self.flow_day_ranges() + [(a, b) for a, b in levels if a <= b]


def _days_q(ranges: Sequence[tuple[date, date]]) -> Q:
    """Days in any of ``ranges``; none at all for an empty list."""
    q = Q(pk__in=[])
    for first, last in ranges:
        q |= Q(day__gte=first, day__lte=last)
    return q


def _compute(scope: _Scope, period: Period, *, group: str) -> dict[Any, _Group]:
    ranges = _Ranges.of(period)
    key_field = {"all": None, "unit": "unit_id", "procedure": "procedure_id"}[group]
    groups: dict[Any, _Group] = defaultdict(_Group)
    eligible = Q(procedure__service_level=ServiceLevel.FULL_ONLINE)
    online = Q(channel__in=sorted(ONLINE_CHANNELS))

    def flow_sums(within: Q | None = None, *, eligibility: bool = True) -> dict[str, Any]:
        """Sums of the flows (of the rows ``within``, when the query also reads other rows)."""

        def total(name: str, q: Q | None = None) -> Sum:
            condition = within & q if within is not None and q is not None else within or q
            return Sum(name, filter=condition, default=0)

        aggregates: dict[str, Any] = {f"f_{name}": total(name) for name in _FLOWS}
        aggregates["online_received"] = total("received", online)
        if eligibility:
            aggregates["eligible_received"] = total("received", eligible)
            aggregates["eligible_online"] = total("received", eligible & online)
        return aggregates

    def level_sums(start_q: Q, end_q: Q) -> dict[str, Any]:
        aggregates: dict[str, Any] = {}
        for name in _LEVELS:
            aggregates[f"s_{name}"] = Sum(name, filter=start_q, default=0)
            aggregates[f"e_{name}"] = Sum(name, filter=end_q, default=0)
        return aggregates

    def rows(qs: QuerySet[Any], aggregates: dict[str, Any]) -> Iterable[dict[str, Any]]:
        if key_field is None:
            return [qs.aggregate(**aggregates)]
        return qs.values(key_field).order_by().annotate(**aggregates)

    def add_flows(g: _Group, row: dict[str, Any], *, eligible: bool = True) -> None:
        for name in _FLOWS:
            g.flows[name] += row[f"f_{name}"] or 0
        g.online_received += row["online_received"] or 0
        if eligible:
            g.eligible_received += row["eligible_received"] or 0
            g.eligible_online += row["eligible_online"] or 0

    def add_levels(g: _Group, row: dict[str, Any]) -> None:
        for name in _LEVELS:
            g.start[name] += row[f"s_{name}"] or 0
            g.end[name] += row[f"e_{name}"] or 0

    full_months = Q(month__gte=ranges.full_from, month__lt=ranges.full_to)
    # Without a procedure or field filter, whole months come from the (month, unit, receiving unit,
    # channel) rollup:
    # flows and levels in one query over a few hundred rows a month. Full-online eligibility needs the
    # procedure, so its two sums are read from the period's procedure rows, joined to the catalogue.
    by_unit = scope.procedure_id is None and scope.field_id is None and key_field != "procedure_id"
    if by_unit:
        aggregates = flow_sums(full_months, eligibility=False)
        aggregates |= level_sums(Q(month__lt=ranges.start_cut), Q(month__lt=ranges.end_cut))
        rollup = scope.filter(
            MonthlyUnitAggregate.objects.filter(month__lt=max(ranges.end_cut, ranges.full_to))
        )
        for row in rows(rollup, aggregates):
            g = groups[row.get(key_field) if key_field else None]
            add_flows(g, row, eligible=False)
            add_levels(g, row)
        eligible_rows = scope.filter(MonthlyAggregate.objects.filter(full_months, eligible))
        for row in rows(
            eligible_rows,
            {
                "eligible_received": Sum("received", default=0),
                "eligible_online": Sum("received", filter=online, default=0),
            },
        ):
            g = groups[row.get(key_field) if key_field else None]
            g.eligible_received += row["eligible_received"] or 0
            g.eligible_online += row["eligible_online"] or 0
    else:
        # Flows: the period's rows only; the procedure join (full-online eligibility) stays on those.
        # Levels: every earlier row, no join.
        for row in rows(scope.filter(MonthlyAggregate.objects.filter(full_months)), flow_sums()):
            add_flows(groups[row.get(key_field) if key_field else None], row)
        monthly_levels = scope.filter(MonthlyAggregate.objects.filter(month__lt=ranges.end_cut))
        for row in rows(
            monthly_levels, level_sums(Q(month__lt=ranges.start_cut), Q(month__lt=ranges.end_cut))
        ):
            add_levels(groups[row.get(key_field) if key_field else None], row)
    # The partial months at the edges of a custom range: daily rows.
    if ranges.flow_day_ranges():
        for row in rows(scope.filter(DailyAggregate.objects.filter(ranges.flow_days_q())), flow_sums()):
            add_flows(groups[row.get(key_field) if key_field else None], row)
    level_days = [
        (a, b)
        for a, b in ((ranges.start_cut, ranges.first - timedelta(days=1)), (ranges.end_cut, ranges.last))
        if a <= b
    ]
    if level_days:
        daily_levels = scope.filter(DailyAggregate.objects.filter(_days_q(level_days)))
        for row in rows(
            daily_levels,
            level_sums(
                Q(day__gte=ranges.start_cut, day__lt=ranges.first),
                Q(day__gte=ranges.end_cut, day__lte=ranges.last),
            ),
        ):
            add_levels(groups[row.get(key_field) if key_field else None], row)

    duration_values = ["bucket"] + ([key_field] if key_field else [])
    monthly_durations = MonthlyUnitDuration if by_unit else MonthlyDuration
    durations = [scope.filter(monthly_durations.objects.filter(full_months))]
    if ranges.flow_day_ranges():
        durations.append(scope.filter(DailyDuration.objects.filter(ranges.flow_days_q())))
    for qs in durations:
        for row in qs.values(*duration_values).order_by().annotate(n=Sum("count")):
            g = groups[row.get(key_field) if key_field else None]
            if row["n"]:
                g.histogram[row["bucket"]] = g.histogram.get(row["bucket"], 0) + row["n"]

    _ratings(scope, period, groups, key_field)
    _feedback(scope, period, groups, key_field)
    return groups


def _dossier_key(key_field: str | None) -> str | None:
    return {None: None, "unit_id": "dossier__competent_unit_id", "procedure_id": "dossier__procedure_id"}[
        key_field
    ]


def _ratings(scope: _Scope, period: Period, groups: dict[Any, _Group], key_field: str | None) -> None:
    """Ratings given in the period, from the ratings table at read time.

    Why not counters: ratings and feedback are written by the feedback app (a sibling of this layer's
    subscribers, not a dossier event), so keeping counters would need a hook in its services; they
    are at most one rating per dossier and rare feedback, indexed by time, so reading them is cheap.
    """
    key = _dossier_key(key_field)
    qs = Rating.objects.filter(
        scope.dossier_q("dossier__"),
        created_at__gte=period.start_instant(),
        created_at__lt=period.end_instant(),
    )
    values = ["level"] + ([key] if key else [])
    for row in qs.values(*values).order_by().annotate(n=Count("pk")):
        g = groups[row[key] if key else None]
        g.ratings[row["level"]] = g.ratings.get(row["level"], 0) + row["n"]


def _feedback(scope: _Scope, period: Period, groups: dict[Any, _Group], key_field: str | None) -> None:
    """Feedback handled in the period (answered in it, or unanswered past a due time in it), and the
    complaints received in it."""
    key = _dossier_key(key_field)
    start, end = period.start_instant(), period.end_instant()
    now = timezone.now()
    values = [key] if key else []
    base = Feedback.objects.filter(scope.dossier_q("dossier__"))
    handled = base.filter(
        Q(status=FeedbackStatus.ANSWERED, answered_at__gte=start, answered_at__lt=end)
        | Q(status=FeedbackStatus.OPEN, due_at__gte=start, due_at__lt=min(end, now))
    )
    for row in (
        handled.values(*values)
        .order_by()
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(status=FeedbackStatus.ANSWERED, answered_at__lte=F("due_at"))),
        )
    ):
        g = groups[row[key] if key else None]
        g.feedback_handled += row["n"]
        g.feedback_on_time += row["on_time"]
    complaints = base.filter(kind=FeedbackKind.COMPLAINT, created_at__gte=start, created_at__lt=end)
    for row in complaints.values(*values).order_by().annotate(n=Count("pk")):
        groups[row[key] if key else None].complaints += row["n"]


def _statistics(scope: _Scope, period: Period, *, key: Any, data: _Group) -> Statistics:
    f = data.flows
    resolved = f["resolved_early"] + f["resolved_on_time"] + f["resolved_late"]
    day_us = get_schedule().day_length
    mean = None
    if resolved:
        mean = (Decimal(f["processing_us"]) / Decimal(resolved) / Decimal(day_us)).quantize(Decimal("0.01"))
    histogram = tuple(sorted((b, n) for b, n in data.histogram.items() if n))
    return Statistics(
        period=period,
        unit_id=scope.unit_id,
        field_id=scope.field_id,
        procedure_id=scope.procedure_id,
        channel=scope.channel,
        key=key,
        carried_over=data.start["open_delta"],
        received_new=f["received"],
        resolved_early=f["resolved_early"],
        resolved_on_time=f["resolved_on_time"],
        resolved_late=f["resolved_late"],
        rejected=f["rejected"],
        in_progress=data.end["open_delta"],
        in_progress_overdue=data.end["overdue_delta"],
        in_progress_paused=data.end["paused_delta"],
        supplement_requested=f["supplement_requested"],
        payment_requested=f["payment_requested"],
        extended=f["extended"],
        refused=f["refused"],
        withdrawn=f["withdrawn"],
        stopped=f["stopped"],
        returned=f["returned"],
        online=Share(data.online_received, f["received"]),
        full_online=Share(data.eligible_online, data.eligible_received),
        digitised=Share(f["digitised"], f["received"]),
        electronic_results=Share(f["electronic_results"], resolved),
        online_payment=Share(f["paid_online"], f["with_fees"]),
        processing_days_mean=mean,
        processing_days_median=_median_days(histogram, day_hours=get_schedule().hours_per_day),
        duration_histogram=histogram,
        satisfaction=Satisfaction(
            very_satisfied=data.ratings.get(RatingLevel.VERY_SATISFIED, 0),
            satisfied=data.ratings.get(RatingLevel.SATISFIED, 0),
            unsatisfied=data.ratings.get(RatingLevel.UNSATISFIED, 0),
        ),
        feedback_on_time=Share(data.feedback_on_time, data.feedback_handled),
        complaints=data.complaints,
        received_at_id=scope.received_at_id,
    )


def _median_days(histogram: tuple[tuple[int, int], ...], *, day_hours: Decimal) -> Decimal | None:
    """Median of the histogram, interpolated linearly inside the bucket that holds the middle rank."""
    total = sum(n for _b, n in histogram)
    if not total:
        return None
    middle = Decimal(total) / 2
    seen = 0
    for bucket, n in histogram:
        if seen + n >= middle:
            low, high = bucket_bounds_hours(bucket)
            if high is None:
                return (Decimal(low) / day_hours).quantize(Decimal("0.01"))
            fraction = (middle - seen) / Decimal(n)
            hours = Decimal(low) + fraction * Decimal(high - low)
            return (hours / day_hours).quantize(Decimal("0.01"))
        seen += n
    raise AssertionError("unreachable")  # pragma: no cover


def _replace_key(stats: Statistics, key: Any) -> Statistics:
    return replace(stats, key=key)


def _unit_tree() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Unit.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    return children


def _descendants(tree: dict[int | None, list[int]], root: int) -> list[int]:
    out, stack = [], [root]
    while stack:
        pk = stack.pop()
        out.append(pk)
        stack.extend(tree.get(pk, ()))
    return out


def procedures_full_online() -> QuerySet[Procedure]:
    """Procedures whose service level is full-online (the 766 denominators' procedures)."""
    return Procedure.objects.filter(service_level=ServiceLevel.FULL_ONLINE)


__all__ = [
    "DURATION_BUCKETS",
    "ONLINE_CHANNELS",
    "Period",
    "PeriodKind",
    "Satisfaction",
    "Share",
    "Statistics",
    "duration_bucket_label",
    "procedures_by_unit",
    "procedures_with",
    "statistics",
    "statistics_by_month",
    "statistics_by_procedure",
    "statistics_by_unit",
]
