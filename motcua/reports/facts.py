"""What one dossier adds to the report counters — đóng góp của một hồ sơ vào số liệu tổng hợp.

``dossier_contribution(facts, events)`` is a pure function of the dossier's events (in ``seq`` order)
and of ``DossierFacts``, what about the dossier never changes after receipt (its competent and
receiving units, procedure, channel, the fee fixed at submission, whether its components were
digitised). The subscriber adds ``contribution(events[:n]) − contribution(events[:n−1])`` for
event *n*; the rebuild adds ``contribution(all events)``; telescoping makes the two equal
(``models`` docstring).

Definitions (local dates of Asia/Ho_Chi_Minh):

* received — the first ``receive`` (counter, kiosk, post) or ``accept`` (online) event; an online
  dossier refused at intake (``refuse``) is counted as refused, never as received.
* resolved — the first event whose state becomes ``result_ready`` (đã xử lý xong); its outcome
  (early / on time / late) is the one the engine recorded in the event; ``rejected`` when the
  decision was a reasoned rejection.
* processing time — working time (the engine's calendar) from receipt to resolution, minus the
  working time of the clock stops (supplement requested → received, payment requested → paid).
* open (in progress) — received and not yet resolved, withdrawn or stopped, at the end of a day;
  overdue — open, in a state where the clock runs, and due before the end of that day; paused — open
  in a clock-stop state (supplement, financial obligation).
* digitised — every component of the receipt (not supplements) was stored as a file; counted on the
  day received. with fees — a fee was due at submission or a financial obligation was requested;
  paid online — a payment confirmed with method ``online`` (gateway): both on the day received.
* electronic result — a signature was recorded with the signed result file; counted on the day
  resolved.

Duration buckets (``duration_bucket``): working hours, 1-hour buckets below 80 working hours (10 days
of 8 hours), 8-hour buckets below 480 hours (60 days), then one bucket for the rest — 131 buckets. The
median interpolated in its bucket is then within half an hour of the exact one below 10 working days
and within half a day below 60; the mean is exact (a sum of microseconds is kept).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from motcua.dossiers.deadlines import local_zone
from motcua.dossiers.events import INTERNAL_KINDS, EventKind
from motcua.dossiers.models import CLOCK_RUNNING_STATES, DossierState
from motcua.worktime import selectors as worktime

HOUR_US = 3_600 * 1_000_000
DURATION_BUCKETS = 131
_FINE_HOURS = 80
_DAY_BUCKET_HOURS = 8
_COARSE_HOURS = 480

_RECEIPT = frozenset({EventKind.RECEIVE, EventKind.ACCEPT})
_PAUSE_STATES = frozenset({DossierState.SUPPLEMENT_REQUESTED, DossierState.AWAITING_PAYMENT})
_END_STATES = frozenset({DossierState.WITHDRAWN, DossierState.STOPPED})
_PAYMENT_CONFIRMATIONS = frozenset({EventKind.FEES_PAID, EventKind.RECORD_PAYMENT})


def duration_bucket(working_us: int) -> int:
    """The histogram bucket of a processing time (working microseconds); rule in the module docstring."""
    hours = max(0, working_us) // HOUR_US
    if hours < _FINE_HOURS:
        return int(hours)
    if hours < _COARSE_HOURS:
        return _FINE_HOURS + int((hours - _FINE_HOURS) // _DAY_BUCKET_HOURS)
    return DURATION_BUCKETS - 1


def bucket_bounds_hours(bucket: int) -> tuple[int, int | None]:
    """[low, high) of a bucket in working hours; high None for the last, open-ended one."""
    if bucket < _FINE_HOURS:
        return bucket, bucket + 1
    if bucket < DURATION_BUCKETS - 1:
        low = _FINE_HOURS + (bucket - _FINE_HOURS) * _DAY_BUCKET_HOURS
        return low, low + _DAY_BUCKET_HOURS
    return _COARSE_HOURS, None


@dataclass(frozen=True, slots=True)
class DossierFacts:
    """What about a dossier stays fixed from its receipt on (the counters' key and its shares)."""

    dossier_id: int
    unit_id: int  # competent unit
    receiving_unit_id: int  # where it was received (a service centre, usually): a key, like the unit
    procedure_id: int
    channel: str
    initial_fees: bool  # a fee was due at submission (fees_total minus later financial obligations > 0)
    digitised: bool


@dataclass(frozen=True, slots=True)
class EventFact:
    """The fields of a ``DossierEvent`` the contribution reads."""

    seq: int
    at: datetime
    action: str
    to_state: str
    data: Mapping[str, Any]


# day → counter name → value; (day, bucket) → count.
Counts = dict[date, dict[str, int]]
Durations = dict[tuple[date, int], int]


def local_day(instant: datetime) -> date:
    return instant.astimezone(local_zone()).date()


def _instant(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def dossier_contribution(facts: DossierFacts, events: Sequence[EventFact]) -> tuple[Counts, Durations]:
    """The counters ``events`` (a prefix of the dossier's history, in seq order) add up to."""
    counts: Counts = {}
    durations: Durations = {}

    def add(day: date, name: str, value: int = 1) -> None:
        if value:
            row = counts.setdefault(day, {})
            row[name] = row.get(name, 0) + value

    state = ""
    due: datetime | None = None
    received_at: datetime | None = None
    resolved = False
    ended = False
    fees = facts.initial_fees
    paid_online = False
    electronic = False
    resolved_day: date | None = None
    pause_from: datetime | None = None
    paused_us = 0
    # (day, open, overdue-from-day or None, paused) after the last event of each day with events.
    day_status: list[tuple[date, bool, date | None, bool]] = []

    for event in events:
        kind = event.action
        if kind in INTERNAL_KINDS:
            continue
        day = local_day(event.at)
        data = event.data
        if event.to_state:
            state = event.to_state
        if "due_at" in data and kind in (
            EventKind.RECEIVE,
            EventKind.ACCEPT,
            EventKind.EXTEND,
            EventKind.RECEIVE_SUPPLEMENT,
            EventKind.RECORD_PAYMENT,
        ):
            due = _instant(data.get("due_at"))
        if kind in _RECEIPT and received_at is None:
            received_at = event.at
            add(day, "received")
        elif kind == EventKind.REFUSE:
            add(day, "refused")
        elif kind == EventKind.REQUEST_SUPPLEMENT:
            add(day, "supplement_requested")
        elif kind == EventKind.REQUEST_PAYMENT:
            add(day, "payment_requested")
            fees = True
        elif kind == EventKind.EXTEND:
            add(day, "extended")
        elif kind == EventKind.RETURN_RESULT:
            add(day, "returned")
        elif kind == EventKind.WITHDRAW:
            add(day, "withdrawn")
        elif kind == EventKind.STOP:
            add(day, "stopped")
        elif kind == EventKind.RECORD_SIGNATURE and data.get("result"):
            electronic = True
        if kind in _PAYMENT_CONFIRMATIONS and data.get("method") == "online":
            paid_online = True
        # Clock stops, for the processing time.
        if state in _PAUSE_STATES and pause_from is None:
            pause_from = event.at
        elif state not in _PAUSE_STATES and pause_from is not None:
            paused_us += _working_us(pause_from, event.at)
            pause_from = None
        if state == DossierState.RESULT_READY and not resolved and received_at is not None:
            resolved = True
            resolved_day = day
            outcome = data.get("outcome") or "on_time"
            add(day, f"resolved_{outcome}")
            if data.get("decision") == "rejected":
                add(day, "rejected")
            took = max(0, _working_us(received_at, event.at) - paused_us)
            add(day, "processing_us", took)
            key = (day, duration_bucket(took))
            durations[key] = durations.get(key, 0) + 1
        if state in _END_STATES:
            ended = True
        is_open = received_at is not None and not resolved and not ended
        overdue_from = None
        if is_open and state in CLOCK_RUNNING_STATES and due is not None:
            overdue_from = local_day(due)
        status = (day, is_open, overdue_from, is_open and state in _PAUSE_STATES)
        if day_status and day_status[-1][0] == day:
            day_status[-1] = status
        else:
            day_status.append(status)

    if received_at is not None:
        received_day = local_day(received_at)
        if facts.digitised:
            add(received_day, "digitised")
        if fees:
            add(received_day, "with_fees")
            if paid_online:
                add(received_day, "paid_online")
    if resolved_day is not None and electronic:
        add(resolved_day, "electronic_results")

    # Levels: each status holds from its day to the next day with events (or for ever).
    for i, (day, is_open, overdue_from, paused) in enumerate(day_status):
        until = day_status[i + 1][0] if i + 1 < len(day_status) else None
        _level(add, "open_delta", day, until, day if is_open else None)
        _level(add, "paused_delta", day, until, day if paused else None)
        _level(add, "overdue_delta", day, until, None if overdue_from is None else max(day, overdue_from))
    for day in [d for d, row in counts.items() if not any(row.values())]:
        del counts[day]
    for name_row in counts.values():
        for name in [n for n, v in name_row.items() if not v]:
            del name_row[name]
    return counts, durations


def _level(add: Any, name: str, day: date, until: date | None, start: date | None) -> None:
    """+1 on ``start`` and −1 on ``until`` when the condition begins before the status ends."""
    if start is None or (until is not None and start >= until):
        return
    add(start, name, 1)
    if until is not None:
        add(until, name, -1)


def _working_us(start: datetime, end: datetime) -> int:
    if end <= start:
        return 0
    return worktime.working_time_between(start=start, end=end) // timedelta(microseconds=1)


def contribution_delta(
    facts: DossierFacts, before: Sequence[EventFact], after: Sequence[EventFact]
) -> tuple[Counts, Durations]:
    """``contribution(after) − contribution(before)``: what the subscriber adds for one event."""
    new_counts, new_durations = dossier_contribution(facts, after)
    old_counts, old_durations = dossier_contribution(facts, before)
    for day, row in old_counts.items():
        target = new_counts.setdefault(day, {})
        for name, value in row.items():
            target[name] = target.get(name, 0) - value
    for key, value in old_durations.items():
        new_durations[key] = new_durations.get(key, 0) - value
    counts = {d: {n: v for n, v in row.items() if v} for d, row in new_counts.items()}
    return {d: row for d, row in counts.items() if row}, {k: v for k, v in new_durations.items() if v}
