"""Property-based tests of the pure engine (hypothesis; example counts from the root conftest profile)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from motcua.worktime.calendar import Override, WorkCalendar, WorkSchedule
from motcua.worktime.models import TimeUnit
from motcua.worktime.tests.helpers import VN

SCHEDULE = WorkSchedule.from_settings(settings.WORKTIME)
NATIONAL = WorkCalendar(SCHEDULE)
REFERENCE = holidays.country_holidays("VN", years=range(2023, 2032))
PERIODS = [(time(8), time(12)), (time(13), time(17))]

ZONES = st.sampled_from([VN, UTC, timezone(timedelta(hours=-5)), ZoneInfo("Europe/Paris")])
starts = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=ZONES, allow_imaginary=False
)
# Minute-aligned starts make the reference walk below exact.
minute_starts = starts.map(lambda dt: dt.replace(second=0, microsecond=0))
half_hours = st.integers(min_value=1, max_value=2 * 8 * 300)  # up to 300 working days


def working_amount(unit: TimeUnit, count: int) -> Decimal:
    """``count`` half-hours expressed in ``unit``."""
    return Decimal(count) / 2 if unit == TimeUnit.WORKING_HOURS else Decimal(count) / 16


working_units = st.sampled_from([TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS])


def add(calendar: WorkCalendar, start: datetime, count: int, unit: TimeUnit) -> datetime:
    return calendar.add_working_time(start=start, amount=working_amount(unit, count), unit=unit)


def in_working_time_or_at_period_end(
    calendar: WorkCalendar, instant: datetime, *, at_start: bool = False
) -> bool:
    """Inside (begin, end] of a period of a working day; [begin, end] with ``at_start``."""
    local = instant.astimezone(VN)
    if not calendar.is_working_day(local.date()):
        return False
    clock = local.timetz().replace(tzinfo=None)
    return any(begin < clock <= end or (at_start and clock == begin) for begin, end in PERIODS)


def reference_add(start: datetime, minutes: int, overrides: dict[date, bool]) -> datetime:
    """Obvious day-by-day walk straight on ``holidays.VN`` (no prefix sums, no bisect)."""

    def working(day: date) -> bool:
        return overrides.get(day, REFERENCE.is_working_day(day))

    local = start.astimezone(VN).replace(tzinfo=None)
    day, clock = local.date(), local.time()
    while True:
        if working(day):
            for begin, end in PERIODS:
                begin = max(begin, clock)
                if begin >= end:
                    continue
                available = (datetime.combine(day, end) - datetime.combine(day, begin)) // timedelta(
                    minutes=1
                )
                if minutes <= available:
                    return (datetime.combine(day, begin) + timedelta(minutes=minutes)).replace(tzinfo=VN)
                minutes -= available
        day, clock = day + timedelta(days=1), time(0)


@given(start=starts, count=half_hours, unit=working_units)
def test_due_is_in_working_time_or_at_a_period_end(start, count, unit):
    due = add(NATIONAL, start, count, unit)
    assert in_working_time_or_at_period_end(NATIONAL, due)
    assert due.utcoffset() == timedelta(hours=7)
    assert due > start


@given(start=starts, first=half_hours, second=half_hours, unit=working_units)
def test_additivity(start, first, second, unit):
    assert add(NATIONAL, add(NATIONAL, start, first, unit), second, unit) == add(
        NATIONAL, start, first + second, unit
    )


@given(start=starts, first=half_hours, second=half_hours, unit=working_units)
def test_more_time_is_never_earlier(start, first, second, unit):
    low, high = sorted((first, second))
    assert add(NATIONAL, start, low, unit) <= add(NATIONAL, start, high, unit)


@given(first=starts, second=starts, count=half_hours, unit=working_units)
def test_later_start_is_never_earlier(first, second, count, unit):
    early, late = sorted((first, second))
    assert add(NATIONAL, early, count, unit) <= add(NATIONAL, late, count, unit)


@given(start=starts, count=half_hours, unit=working_units)
def test_working_time_between_inverts_add(start, count, unit):
    due = add(NATIONAL, start, count, unit)
    assert NATIONAL.working_time_between(start=start, end=due) == timedelta(minutes=30 * count)
    assert NATIONAL.working_time_between(start=due, end=start) == -timedelta(minutes=30 * count)


@given(start=starts, duration=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=100)))
def test_add_working_duration_inverts_between(start, duration):
    due = NATIONAL.add_working_duration(start=start, duration=duration)
    assert NATIONAL.working_time_between(start=start, end=due) == duration


@given(a=starts, b=starts, c=starts)
def test_working_time_between_is_additive(a, b, c):
    between = NATIONAL.working_time_between
    assert between(start=a, end=b) + between(start=b, end=c) == between(start=a, end=c)


@given(
    start=minute_starts,
    minutes=st.integers(min_value=0, max_value=60 * 8 * 40),
    overrides=st.dictionaries(
        st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 12, 31)), st.booleans(), max_size=20
    ),
)
def test_matches_a_day_by_day_reference(start, minutes, overrides):
    calendar = WorkCalendar(
        SCHEDULE, {day: Override(working, "Quyết định") for day, working in overrides.items()}
    )
    due = calendar.add_working_time(start=start, amount=Decimal(minutes) / 60, unit=TimeUnit.WORKING_HOURS)
    assert due == reference_add(start, minutes, overrides)


@given(start=starts, days=st.integers(min_value=1, max_value=400))
def test_calendar_days_end_on_a_working_day_not_before_the_plain_sum(start, days):
    due = NATIONAL.add_working_time(start=start, amount=days, unit=TimeUnit.CALENDAR_DAYS)
    counting_start = NATIONAL.next_working_instant(start)
    assert due >= counting_start + timedelta(days=days)
    assert NATIONAL.is_working_day(due.astimezone(VN).date())
    # Time of day is kept from the counting start, which may be a period start (08:00).
    assert in_working_time_or_at_period_end(NATIONAL, due, at_start=True)


@given(start=starts)
def test_next_working_instant(start):
    instant = NATIONAL.next_working_instant(start)
    assert instant >= start
    assert NATIONAL.is_working_time(instant)
    assert NATIONAL.next_working_instant(instant) == instant
    assert NATIONAL.working_time_between(start=start, end=instant) == timedelta(0)
    same_day = NATIONAL.add_working_time(start=start, amount=None, unit=TimeUnit.SAME_DAY)
    assert same_day == NATIONAL.end_of_working_day(instant.date())


@given(start=starts, count=half_hours, unit=working_units)
def test_explanation_agrees_with_add(start, count, unit):
    explanation = NATIONAL.explain_due(start=start, amount=working_amount(unit, count), unit=unit)
    assert explanation.due == add(NATIONAL, start, count, unit)
    for item in explanation.items:
        assert item.start < item.end
        if item.kind != "outside_hours":
            assert item.counted == NATIONAL.is_working_day(item.start.date())
