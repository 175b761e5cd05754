"""Reads of the working-time calendar — lịch làm việc: the shared ``WorkCalendar`` and deadline functions.

Other apps (the dossier engine: step deadlines, pauses, extensions) call the functions at the bottom:
``add_working_time``, ``add_working_duration``, ``working_time_between``, ``explain_due`` …; they all
use the process-wide calendar returned by ``get_calendar()``.

How the calendar stays fresh: it follows the reference-data stamp, like the catalogue and the units
(``core.selectors.ReferenceDataFollower``). Each process keeps one ``WorkCalendar`` built from
``settings.WORKTIME`` and the ``CalendarException`` rows, and reads the stamp at most once per
``WORKTIME["EXCEPTIONS_POLL_SECONDS"]`` (default 1 s) — no I/O on the fast path, one primary-key read
per interval, one more query when the stamp changed. Saving or deleting an exception restamps
(``reference_data_watch`` in ``apps.py``; bulk writes call ``core.services.reference_data_changed``),
so another process sees a committed change within the interval, the process that committed it at its
next call, and nobody a rolled-back one; the transaction that made a change sees it at once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import cast

from django.conf import settings

from motcua.core.selectors import ReferenceDataFollower
from motcua.worktime.calendar import Amount, DayInfo, DueExplanation, Override, WorkCalendar, WorkSchedule
from motcua.worktime.models import CalendarException, ExceptionKind, TimeUnit

DEFAULT_POLL_SECONDS = 1.0

_schedule: WorkSchedule | None = None


def get_schedule() -> WorkSchedule:
    """The weekly schedule from ``settings.WORKTIME``, parsed once per process."""
    global _schedule
    schedule = _schedule
    if schedule is None:
        schedule = _schedule = WorkSchedule.from_settings(settings.WORKTIME)
    return schedule


def _poll_seconds() -> float:
    return float(cast(float, settings.WORKTIME.get("EXCEPTIONS_POLL_SECONDS", DEFAULT_POLL_SECONDS)))


def _calendar_build() -> WorkCalendar:
    rows = CalendarException.objects.order_by("date").values_list("date", "kind", "name")
    overrides = {day: Override(kind == ExceptionKind.EXTRA_WORKING_DAY, name) for day, kind, name in rows}
    return WorkCalendar(get_schedule(), overrides)


_calendar = ReferenceDataFollower(build=_calendar_build, check_seconds=_poll_seconds)


def reset_calendar_cache() -> None:
    """Forget the process calendar and schedule (settings changed, tests)."""
    global _schedule
    _schedule = None
    _calendar.clear()


def get_calendar() -> WorkCalendar:
    """The current calendar: no I/O on the fast path, one stamp read per poll interval, one query
    when the reference data changed."""
    return _calendar.get()


# --------------------------------------------------------------------------------------------------
# Deadline functions for other apps (see motcua.worktime.calendar for the rules).


def add_working_time(*, start: datetime, amount: Amount, unit: TimeUnit | str) -> datetime:
    """Due instant of ``amount`` ``unit`` received at ``start`` — hạn xử lý (docs/domain.md §6).

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
