"""Reads of the working-time calendar — lịch làm việc: the shared ``WorkCalendar`` and deadline functions.

Other apps (the dossier engine: step deadlines, pauses, extensions) call the functions at the bottom:
``add_working_time``, ``add_working_duration``, ``working_time_between``, ``explain_due`` …; they all
use the process-wide calendar returned by ``get_calendar()``.

How the calendar stays fresh without a query per call:

* Each process keeps one ``WorkCalendar`` built from ``settings.WORKTIME`` and the ``CalendarException``
  rows, tagged with a digest of those rows.
* The Django cache holds the digest of the committed rows under ``CACHE_KEY``. At most once per
  ``WORKTIME["EXCEPTIONS_POLL_SECONDS"]`` (default 1 s) a call reads it — one ``cache.get``, a network
  round trip with Redis, which is why it is not done on every call; if the digest matches, the
  process's calendar is current. Otherwise (key missing or another process published a change) it
  reloads the rows — one query — and rebuilds if they differ. So another process sees a change within
  about a second; the process that made it sees it at once.
* After a transaction that changed exceptions commits, ``_PublishChange`` (registered by the model
  signals and the services) writes the new digest with ``cache.set``; readers only ever ``cache.add``,
  so a reader that loaded old rows just before the commit cannot overwrite the newer digest.
* The key expires after ``WORKTIME["EXCEPTIONS_RECHECK_SECONDS"]`` (default 60): changes that bypass
  the signals (``QuerySet.update``, raw SQL) and processes that do not share the cache (the default
  per-process LocMemCache with several workers) are picked up within that time. With a shared cache
  (Redis, ``REDIS_URL``) every process sees a signalled change within the poll interval.
* Inside a transaction that has changed exceptions but not committed yet, the calendar is rebuilt from
  that connection's rows on every call and never cached, so neither other threads nor later requests
  (nor the next test after a rolled-back test transaction) see uncommitted days.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.db import router, transaction

from motcua.worktime.calendar import Amount, DayInfo, DueExplanation, Override, WorkCalendar, WorkSchedule
from motcua.worktime.models import CalendarException, ExceptionKind, TimeUnit

CACHE_KEY = "motcua:worktime:exceptions-digest"
DEFAULT_RECHECK_SECONDS = 60
DEFAULT_POLL_SECONDS = 1.0


@dataclass(slots=True)
class _State:
    digest: str
    calendar: WorkCalendar
    alias: str
    fresh_until: float  # time.monotonic() before which the shared digest need not be read again

    @classmethod
    def build(cls, digest: str, overrides: dict[date, Override], alias: str) -> _State:
        return cls(digest, WorkCalendar(get_schedule(), overrides), alias, time.monotonic() + _poll_seconds())


_lock = threading.Lock()
_state: _State | None = None
_schedule: WorkSchedule | None = None
# Whether this process has ever written an exception. Until it has, no transaction of this process can
# hold an uncommitted one, so get_calendar() skips the per-connection check (a thread-local lookup).
_writer_process = False


def get_schedule() -> WorkSchedule:
    """The weekly schedule from ``settings.WORKTIME``, parsed once per process."""
    global _schedule
    schedule = _schedule
    if schedule is None:
        schedule = _schedule = WorkSchedule.from_settings(settings.WORKTIME)
    return schedule


def _alias() -> str:
    # The writer's connection: only it sees its own uncommitted exceptions.
    return router.db_for_write(CalendarException)


def _recheck_seconds() -> int:
    return int(cast(int, settings.WORKTIME.get("EXCEPTIONS_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS)))


def _poll_seconds() -> float:
    return float(cast(float, settings.WORKTIME.get("EXCEPTIONS_POLL_SECONDS", DEFAULT_POLL_SECONDS)))


def _load(alias: str) -> tuple[str, dict[date, Override]]:
    rows = list(CalendarException.objects.using(alias).order_by("date").values_list("date", "kind", "name"))
    digest = hashlib.blake2b(repr(rows).encode(), digest_size=16).hexdigest()
    overrides = {day: Override(kind == ExceptionKind.EXTRA_WORKING_DAY, name) for day, kind, name in rows}
    return digest, overrides


class _PublishChange:
    """``on_commit`` callback publishing the new digest; while queued it also marks the transaction."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __call__(self) -> None:
        global _state
        digest, overrides = _load(self.alias)
        with _lock:
            _state = _State.build(digest, overrides, self.alias)
        cache.set(CACHE_KEY, digest, _recheck_seconds())


def _pending_change(alias: str) -> bool:
    connection = transaction.get_connection(alias)
    if not connection.in_atomic_block:
        return False
    # run_on_commit entries are (savepoint ids, callback, robust); Django drops them on rollback, which
    # is exactly when the uncommitted-change mark must disappear.
    return any(isinstance(entry[1], _PublishChange) for entry in connection.run_on_commit)


def notify_exceptions_changed() -> None:
    """Schedule publication of the exception table after the current transaction commits.

    Called by the model signals and the services; call it yourself after bulk writes that send no
    signals (``bulk_create``, ``QuerySet.update``).
    """
    global _writer_process
    _writer_process = True
    alias = _alias()
    if not _pending_change(alias):
        transaction.on_commit(_PublishChange(alias), using=alias, robust=True)


def reset_calendar_cache() -> None:
    """Forget the process calendar and the shared digest (settings changed, tests)."""
    global _state, _schedule
    with _lock:
        _state = None
        _schedule = None
    cache.delete(CACHE_KEY)


def get_calendar() -> WorkCalendar:
    """The current calendar: no I/O on the fast path, one cache read per poll interval, one query
    when the exceptions changed."""
    global _state
    state = _state
    alias = state.alias if state is not None else _alias()
    if _writer_process and _pending_change(alias):
        return WorkCalendar(get_schedule(), _load(alias)[1])
    if state is not None and time.monotonic() < state.fresh_until:
        return state.calendar
    cached = cache.get(CACHE_KEY)
    if state is not None and cached == state.digest:
        state.fresh_until = time.monotonic() + _poll_seconds()
        return state.calendar
    with _lock:
        state = _state
        if state is not None and cached == state.digest:  # another thread reloaded meanwhile
            return state.calendar
        digest, overrides = _load(alias)
        if state is None or state.digest != digest:
            state = _state = _State.build(digest, overrides, alias)
        else:
            state.fresh_until = time.monotonic() + _poll_seconds()
    if cached != digest:
        if cached is not None:
            # The shared digest disagrees with the rows just read (stale or foreign value): the
            # database wins. A commit racing with this read publishes again with cache.set.
            cache.delete(CACHE_KEY)
        cache.add(CACHE_KEY, digest, _recheck_seconds())
    return state.calendar


# --------------------------------------------------------------------------------------------------
# Deadline functions for other apps (see motcua.worktime.calendar for the rules).


def add_working_time(*, start: datetime, amount: Amount, unit: TimeUnit | str) -> datetime:
    """Due instant of ``amount`` ``unit`` received at ``start`` — hạn xử lý (DESIGN §6).

    Units: working_days (× HOURS_PER_DAY working hours; fractions allowed), working_hours,
    calendar_days (whole days; rolled to the end of the next working day when the last day is a day
    off and ``WORKTIME["CALENDAR_DAYS_ROLL_TO_WORKING_DAY"]``), hours (plain elapsed clock time),
    same_day (end of the working day on which counting starts; amount None, 0 or 1).
    ``amount`` 0 returns the instant counting starts (``start`` rolled to working time), except for
    ``hours`` where it returns ``start``. Raises ``WorkTimeError`` (a ValueError with a Vietnamese
    message) for naive datetimes, unknown units, negative/NaN/too large amounts.
    """
    return get_calendar().add_working_time(start=start, amount=amount, unit=unit)


def add_working_duration(*, start: datetime, duration: timedelta) -> datetime:
    """Due instant after ``duration`` of working time, e.g. the time left when a paused dossier resumes."""
    return get_calendar().add_working_duration(start=start, duration=duration)


def working_time_between(*, start: datetime, end: datetime) -> timedelta:
    """Working time elapsed from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    return get_calendar().working_time_between(start=start, end=end)


def explain_due(*, start: datetime, amount: Amount, unit: TimeUnit | str) -> DueExplanation:
    """``add_working_time`` plus the skipped/counted days and a Vietnamese summary."""
    return get_calendar().explain_due(start=start, amount=amount, unit=unit)


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day — ngày làm việc."""
    return get_calendar().is_working_day(day)


def is_working_time(instant: datetime) -> bool:
    """Whether ``instant`` lies in a working period of a working day."""
    return get_calendar().is_working_time(instant)


def next_working_instant(instant: datetime) -> datetime:
    """``instant`` if it is working time, else the start of the next working period."""
    return get_calendar().next_working_instant(instant)


def day_info(day: date) -> DayInfo:
    """Status of ``day`` with its Vietnamese reason."""
    return get_calendar().day_info(day)


def special_days(*, first: date, last: date) -> list[DayInfo]:
    """Days off and make-up/extra working days in [first, last]."""
    return get_calendar().special_days(first, last)
