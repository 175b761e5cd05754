"""What the lateness model reads — dữ liệu đầu vào: open dossiers, the handlers' throughput, the history.

Every reader takes the instant ``at`` it looks from: the periodic job passes now; the calibration
(``calibration.py``) passes a past cut and rebuilds the open dossiers as they stood then, so both feed
the model (``model.py``) the same ``DossierFacts``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean
from typing import Any

from django.db.models import Count

from motcua.catalog.models import ProcessStep
from motcua.dossiers.models import (
    CLOCK_RUNNING_STATES,
    Dossier,
    DossierPause,
    DossierState,
    DossierStep,
    PauseReason,
    StepStatus,
)
from motcua.forecast.model import Case, HistoryIndex, HistoryKeys, QueueLoad
from motcua.worktime import selectors as worktime

# The states a forecast is made in: the clock runs, or it stopped for the applicant (and will run again).
PAUSED_STATES = frozenset({DossierState.SUPPLEMENT_REQUESTED, DossierState.AWAITING_PAYMENT})
FORECAST_STATES = frozenset(CLOCK_RUNNING_STATES | PAUSED_STATES)

# Throughput and the usual time at a step: steps finished over this many working days before ``at``.
THROUGHPUT_WINDOW_DAYS = 20
# A handler with fewer finished steps in the window is judged by their unit and role's average.
THROUGHPUT_MIN_STEPS = 3
# At most this many recent steps per unit and role measure the usual time at a step.
STEP_TIME_SAMPLES = 50
# History: closed dossiers finished in this window, at most this many most recent per procedure.
HISTORY_DAYS = 180
HISTORY_PER_PROCEDURE = 300
_CHUNK = 500

# ("a", assignee id, "") — an official's own queue; ("p", unit id, role) — a unit's pool for a role.
QueueKey = tuple[str, int, str]


def day_hours() -> float:
    return float(worktime.get_schedule().hours_per_day)


def working_hours(start: datetime, end: datetime) -> float:
    return worktime.working_time_between(start=start, end=end) / timedelta(hours=1)


def _paused_hours(
    pauses: Iterable[tuple[datetime, datetime | None]], start: datetime, end: datetime
) -> float:
    """Working hours of clock stops inside [start, end]."""
    total = 0.0
    for begin, finish in pauses:
        low, high = max(begin, start), min(finish or end, end)
        if high > low:
            total += working_hours(low, high)
    return total


def clock_hours(start: datetime, end: datetime, pauses: Iterable[tuple[datetime, datetime | None]]) -> float:
    """Clock time from ``start`` to ``end``: working hours minus the clock stops in between."""
    if end <= start:
        return 0.0
    return max(0.0, working_hours(start, end) - _paused_hours(pauses, start, end))


def process_step_counts() -> dict[int, int]:
    """Number of steps of every process version (the stage of a step is its quarter of the process)."""
    rows = ProcessStep.objects.values("process_id").annotate(n=Count("id")).values_list("process_id", "n")
    return dict(rows)


@dataclass
class DossierFacts:
    """An open dossier as it stood at some instant (now, or a calibration cut)."""

    dossier_id: int
    procedure_id: int
    process_id: int
    field_id: int | None
    competent_unit_id: int
    current_unit_id: int
    state: str
    due_at: datetime | None
    received_at: datetime | None
    original_due_at: datetime | None
    step_order: int | None
    step_unit_id: int | None
    step_role: str
    step_started_at: datetime | None
    assignee_id: int | None
    pause_reason: str = ""
    pause_started_at: datetime | None = None
    pause_remaining_us: int | None = None
    restarts_on_supplement: bool = True
    # Clock stops that ended before ``at`` (start, end).
    past_pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)

    @property
    def paused(self) -> bool:
        return self.state in PAUSED_STATES

    def queue_key(self) -> QueueKey | None:
        """Whose queue the dossier waits in: its assignee's, or its step's unit pool for the role."""
        if self.assignee_id is not None:
            return ("a", self.assignee_id, "")
        if self.step_unit_id is not None:
            return ("p", self.step_unit_id, self.step_role)
        return None


def case_build(facts: DossierFacts, *, at: datetime, step_counts: dict[int, int]) -> Case | None:
    """The model's view of one dossier at ``at``; None when it has no due time to miss."""
    if facts.state not in FORECAST_STATES or facts.received_at is None or facts.original_due_at is None:
        return None
    budget = working_hours(facts.received_at, facts.original_due_at)
    if budget <= 0:
        return None
    count = step_counts.get(facts.process_id, 0)
    keys = HistoryKeys.of(
        procedure_id=facts.procedure_id,
        step_order=facts.step_order,
        step_count=count,
        field_id=facts.field_id,
        unit_id=facts.competent_unit_id,
    )
    step_start = facts.step_started_at or facts.received_at
    paused = ""
    if facts.paused:
        if facts.pause_started_at is None:
            return None
        paused = PauseReason.SUPPLEMENT if facts.state == DossierState.SUPPLEMENT_REQUESTED else "financial"
        if paused == PauseReason.SUPPLEMENT and facts.restarts_on_supplement:
            remaining = budget  # the clock starts again from zero when the supplement arrives
        elif facts.pause_remaining_us is None:
            return None
        else:
            remaining = facts.pause_remaining_us / 3_600_000_000
        elapsed = clock_hours(step_start, facts.pause_started_at, facts.past_pauses)
    else:
        if facts.due_at is None:
            return None
        remaining = working_hours(at, facts.due_at) if facts.due_at > at else -working_hours(facts.due_at, at)
        elapsed = clock_hours(step_start, at, facts.past_pauses)
    return Case(
        dossier_id=facts.dossier_id,
        keys=keys,
        step_order=facts.step_order,
        step_count=count,
        budget_h=budget,
        remaining_h=remaining,
        elapsed_in_step_h=elapsed,
        paused=paused,
        queue_key=facts.queue_key(),
    )


# --------------------------------------------------------------------------------------------------
# Open dossiers now
# --------------------------------------------------------------------------------------------------

_OPEN_VALUES = (
    "pk",
    "procedure_id",
    "process_id",
    "procedure__field_id",
    "competent_unit_id",
    "current_unit_id",
    "state",
    "due_at",
    "received_at",
    "original_due_at",
    "current_step__process_step__order",
    "current_step__unit_id",
    "current_step__role",
    "current_step__started_at",
    "current_assignee_id",
    "procedure__dossier_options__supplement_resumes_remaining",
)


def open_facts(*, at: datetime) -> list[DossierFacts]:
    """Every open dossier in a forecast state, as it stands (three queries)."""
    facts: dict[int, DossierFacts] = {}
    rows = Dossier.objects.filter(is_open=True, state__in=sorted(FORECAST_STATES)).values_list(*_OPEN_VALUES)
    for row in rows.iterator(chunk_size=2000):
        (pk, procedure_id, process_id, field_id, competent, current, state, due_at, received_at,
         original_due, order, step_unit, step_role, step_started, assignee, resumes) = row  # fmt: skip
        facts[pk] = DossierFacts(
            dossier_id=pk,
            procedure_id=procedure_id,
            process_id=process_id,
            field_id=field_id,
            competent_unit_id=competent,
            current_unit_id=current,
            state=state,
            due_at=due_at,
            received_at=received_at,
            original_due_at=original_due,
            step_order=order,
            step_unit_id=step_unit,
            step_role=step_role or "",
            step_started_at=step_started,
            assignee_id=assignee,
            restarts_on_supplement=not resumes,
        )
    pauses = DossierPause.objects.filter(dossier__is_open=True, dossier__state__in=sorted(FORECAST_STATES))
    for dossier_id, started, ended, remaining in pauses.values_list(
        "dossier_id", "started_at", "ended_at", "remaining_us"
    ).iterator(chunk_size=2000):
        f = facts.get(dossier_id)
        if f is None:
            continue
        if ended is None:
            f.pause_started_at, f.pause_remaining_us = started, remaining
        else:
            f.past_pauses.append((started, ended))
    return list(facts.values())


# --------------------------------------------------------------------------------------------------
# The handlers: queue, throughput, usual time at a step
# --------------------------------------------------------------------------------------------------


def working_days_back(at: datetime, days: int) -> datetime:
    """Local midnight starting the ``days`` working days that end with ``at``'s day."""
    tz = worktime.get_schedule().tz
    day: date = at.astimezone(tz).date()
    counted = 0
    while True:
        if worktime.is_working_day(day):
            counted += 1
            if counted >= days:
                break
        day -= timedelta(days=1)
        if counted == 0 and (at.astimezone(tz).date() - day).days > 60:
            break  # no working day at all: a calendar fault, not a reason to loop forever
    return datetime.combine(day, time(0), tzinfo=tz)


@dataclass
class HandlerStats:
    """Steps finished per working day by each official and by each unit and role, and the mean time at
    a step per unit and role (working days)."""

    by_official: dict[int, int]
    by_pool: dict[tuple[int, str], int]
    people: dict[tuple[int, str], int]
    step_days: dict[tuple[int, str], float]
    official_pool: dict[int, tuple[int, str]]
    window_days: int

    def _pool(self, key: QueueKey) -> tuple[int, str] | None:
        kind, ident, role = key
        return self.official_pool.get(ident) if kind == "a" else (ident, role)

    def throughput(self, key: QueueKey) -> float | None:
        """Steps per working day: the official's own (or their unit and role's average per person when
        they finished too few), or the whole unit's for its pool."""
        kind, ident, _role = key
        if kind == "a":
            done = self.by_official.get(ident, 0)
            if done >= THROUGHPUT_MIN_STEPS:
                return done / self.window_days
            pool = self._pool(key)
            if pool is None or not self.people.get(pool):
                return None
            return self.by_pool[pool] / self.people[pool] / self.window_days
        done = self.by_pool.get((ident, _role), 0)
        return done / self.window_days if done else None

    def typical_days(self, key: QueueKey) -> float:
        pool = self._pool(key)
        return self.step_days.get(pool, 0.0) if pool is not None else 0.0


def handler_stats(*, at: datetime) -> HandlerStats:
    """Throughput and usual step time over the ``THROUGHPUT_WINDOW_DAYS`` working days before ``at``."""
    since = working_days_back(at, THROUGHPUT_WINDOW_DAYS)
    done = DossierStep.objects.filter(status=StepStatus.DONE, finished_at__gte=since, finished_at__lt=at)
    by_official: Counter[int] = Counter()
    by_pool: Counter[tuple[int, str]] = Counter()
    members: dict[tuple[int, str], set[int]] = defaultdict(set)
    official_pool: dict[int, tuple[int, str]] = {}
    recent: dict[tuple[int, str], list[tuple[datetime, datetime | None]]] = defaultdict(list)
    rows = done.order_by("-finished_at").values_list(
        "finished_by_id", "unit_id", "role", "started_at", "finished_at"
    )
    for user, unit, role, started, finished in rows.iterator(chunk_size=5000):
        pool = (unit, role)
        by_pool[pool] += 1
        if user is not None:
            by_official[user] += 1
            members[pool].add(user)
            official_pool.setdefault(user, pool)
        if len(recent[pool]) < STEP_TIME_SAMPLES and finished is not None:
            recent[pool].append((started, finished))
    hours = day_hours()
    step_days = {
        # The mean, not the median: Little's law (queue = throughput × time) holds for the mean.
        pool: mean(working_hours(s, f) for s, f in spans if f is not None) / hours
        for pool, spans in recent.items()
        if spans
    }
    return HandlerStats(
        by_official=dict(by_official),
        by_pool=dict(by_pool),
        people={pool: len(users) for pool, users in members.items()},
        step_days=step_days,
        official_pool=official_pool,
        window_days=THROUGHPUT_WINDOW_DAYS,
    )


def queue_loads(facts: Sequence[DossierFacts], *, stats: HandlerStats) -> dict[int, QueueLoad]:
    """The load of each running dossier's handler: its whole queue, dossiers without a due time included
    (they take the handler's time too), against its throughput."""
    queues: dict[QueueKey, list[DossierFacts]] = defaultdict(list)
    for f in facts:
        key = f.queue_key()
        if key is not None and not f.paused:
            queues[key].append(f)
    loads: dict[int, QueueLoad] = {}
    for key, members in queues.items():
        load = QueueLoad(
            size=len(members), throughput=stats.throughput(key), typical_step_days=stats.typical_days(key)
        )
        for f in members:
            loads[f.dossier_id] = load
    return loads


# --------------------------------------------------------------------------------------------------
# History: the clock time closed dossiers needed from each step to their result
# --------------------------------------------------------------------------------------------------


def history_index(*, at: datetime, step_counts: dict[int, int]) -> HistoryIndex:
    """Samples ``W / B`` of the dossiers that reached their result before ``at`` (see ``model``)."""
    index = HistoryIndex()
    closed = (
        Dossier.objects.filter(
            finished_at__lt=at,
            finished_at__gte=at - timedelta(days=HISTORY_DAYS),
            original_due_at__isnull=False,
            received_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list(
            "pk",
            "procedure_id",
            "process_id",
            "procedure__field_id",
            "competent_unit_id",
            "received_at",
            "original_due_at",
            "finished_at",
        )
    )
    per_procedure: Counter[int] = Counter()
    chosen: list[tuple[Any, ...]] = []
    for row in closed.iterator(chunk_size=5000):
        if per_procedure[row[1]] >= HISTORY_PER_PROCEDURE:
            continue
        per_procedure[row[1]] += 1
        chosen.append(row)
    for start in range(0, len(chosen), _CHUNK):
        chunk = chosen[start : start + _CHUNK]
        ids = [row[0] for row in chunk]
        steps: dict[int, dict[int | None, datetime]] = defaultdict(dict)
        for dossier_id, order, started in (
            DossierStep.objects.filter(dossier_id__in=ids)
            .order_by("dossier_id", "seq")
            .values_list("dossier_id", "process_step__order", "started_at")
        ):
            steps[dossier_id].setdefault(order, started)  # the first pass through a step
        pauses: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
        for dossier_id, begin, end in DossierPause.objects.filter(dossier_id__in=ids).values_list(
            "dossier_id", "started_at", "ended_at"
        ):
            pauses[dossier_id].append((begin, end))
        for pk, procedure_id, process_id, field_id, unit_id, received, original_due, finished in chunk:
            budget = working_hours(received, original_due)
            if budget <= 0:
                continue
            count = step_counts.get(process_id, 0)
            for step_order, started in steps.get(pk, {}).items():
                keys = HistoryKeys.of(
                    procedure_id=procedure_id,
                    step_order=step_order,
                    step_count=count,
                    field_id=field_id,
                    unit_id=unit_id,
                )
                index.add(keys, clock_hours(started, finished, pauses.get(pk, ())) / budget)
    return index.finish()
