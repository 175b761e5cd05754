"""Periodic jobs — công việc định kỳ: ``@periodic("name", at=time(7, 0))`` or ``every=timedelta(...)``.

The job queue has no scheduler of its own; this is the smallest one that fits the ``Job`` table. A
periodic job is an ordinary job handler plus a schedule. The worker loop (``delivery.run_forever``) calls
``periodic_enqueue_due()`` before each claim: for every schedule whose current period has started, it
enqueues one job whose idempotency key names the period (``periodic:<name>:<period>``). The unique key
is the whole coordination: two workers, or a worker restarted ten times, enqueue the same key and all
but the first get the existing job back (``job_enqueue``). Retries, dead letters and the admin's
"run again" are the job queue's, unchanged.

- ``at=time(7, 0)``: once a day, at that local time (``TIME_ZONE``, Vietnam). The period is the date:
  a worker started at 10:00 still enqueues that day's run; a day the workers were down all day is not
  caught up (yesterday's digest is of no use today).
- ``every=timedelta(minutes=15)``: once per interval, periods counted from the epoch (UTC).

The handler receives ``{"period": "<key>"}`` as its payload. Deciding whether a given day should do
anything (a working day?) is the handler's business: the scheduler is below the calendar in the layers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from motcua.jobs.registry import Handler, job_handler

logger = logging.getLogger(__name__)

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a periodic job runs: daily ``at`` a local time, or ``every`` interval."""

    name: str
    at: time | None
    every: timedelta | None

    def period(self, now: datetime) -> tuple[str, datetime]:
        """The key of the period containing ``now`` and the instant that period's run is due."""
        if self.at is not None:
            local = timezone.localtime(now)
            due = timezone.make_aware(datetime.combine(local.date(), self.at), local.tzinfo)
            return local.date().isoformat(), due
        assert self.every is not None
        index = int((now - _EPOCH) // self.every)
        start = _EPOCH + index * self.every
        return start.strftime("%Y%m%dT%H%M%SZ"), start

    def next_due(self, now: datetime) -> datetime:
        """The first instant after ``now`` at which a new run becomes due."""
        _key, due = self.period(now)
        if due > now:
            return due
        if self.at is not None:
            local = timezone.localtime(now)
            tomorrow = datetime.combine(local.date() + timedelta(days=1), self.at)
            return timezone.make_aware(tomorrow, local.tzinfo)
        assert self.every is not None
        return due + self.every


_schedules: dict[str, Schedule] = {}
# Periods this process has already enqueued (or found enqueued): no database round trip per loop.
_seen: dict[str, str] = {}


def periodic(
    name: str,
    *,
    at: time | None = None,
    every: timedelta | None = None,
    atomic: bool = True,
    max_attempts: int | None = None,
) -> Callable[[Handler], Handler]:
    """Register ``func`` as job handler ``name`` and run it once per period (see the module docstring)."""
    if (at is None) == (every is None):
        raise ImproperlyConfigured(f"Periodic job {name!r}: give exactly one of at= or every=")
    if every is not None and every < timedelta(minutes=1):
        raise ImproperlyConfigured(f"Periodic job {name!r}: every= must be at least one minute")

    def decorator(func: Handler) -> Handler:
        job_handler(name, atomic=atomic, max_attempts=max_attempts)(func)
        _schedules[name] = Schedule(name=name, at=at, every=every)
        return func

    return decorator


def periodic_schedules() -> list[Schedule]:
    """Every registered schedule, by name."""
    return [_schedules[name] for name in sorted(_schedules)]


def periodic_enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Enqueue the current period's run of every schedule that is due; the keys enqueued *now*.

    Safe to call from any number of workers at once and again after a restart: the key is unique.
    """
    from motcua.jobs.services import job_enqueue  # services imports delivery, which imports this module

    now = now or timezone.now()
    created: list[str] = []
    for schedule in periodic_schedules():
        period, due = schedule.period(now)
        if due > now or _seen.get(schedule.name) == period:
            continue
        key = f"periodic:{schedule.name}:{period}"
        with transaction.atomic():
            _job, was_created = job_enqueue(
                name=schedule.name, payload={"period": period}, idempotency_key=key
            )
        _seen[schedule.name] = period
        if was_created:
            created.append(key)
            logger.info("Periodic job %s enqueued for %s", schedule.name, period)
    return created


def periodic_next_due(*, now: datetime | None = None) -> datetime | None:
    """When the next periodic run becomes due (for the idle worker's sleep), or None without schedules."""
    now = now or timezone.now()
    return min((schedule.next_due(now) for schedule in _schedules.values()), default=None)


def periodic_seen_clear() -> None:
    """Forget what this process enqueued (tests; a worker never needs it: the key decides)."""
    _seen.clear()
