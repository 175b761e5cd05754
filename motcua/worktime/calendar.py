"""Working-time calendar and deadline arithmetic — lịch làm việc và tính hạn xử lý (docs/domain.md §6).

This module is the pure engine: no ORM, no Django settings. ``WorkSchedule`` is the weekly time model
(working periods, working weekdays, time zone); ``WorkCalendar`` adds the national calendar from the
``holidays`` package and the province's overrides, and does the arithmetic. ``selectors`` builds the
process-wide calendar from ``settings.WORKTIME`` and the ``CalendarException`` table.

Why the interval arithmetic is hand-written: no maintained library does working-hours arithmetic over
a holiday calendar that has make-up working days (ngày làm bù — a *weekend* day that becomes a working
day). ``businesstimedelta`` (last release 2019), ``business-calendar`` (2015) and ``businesshours``
(2010) are unmaintained and only know extra days *off*; ``workalendar`` counts whole days, not hours;
pandas' ``CustomBusinessHour`` is a heavy dependency and also has no extra working days. The
arithmetic itself is small: per-year bitmaps of working days with prefix sums make "N working days
later" a binary search instead of a day-by-day walk, so 250 working days cost about as much as 3.

Conventions (docs/domain.md §6):

* Instants in: aware ``datetime`` in any zone; naive ones are rejected. Instants out: aware, in the
  schedule's zone (Asia/Ho_Chi_Minh). Periods are wall-clock times of that zone; the zone has had no
  daylight-saving time since 1975, so wall-clock and elapsed time agree.
* Working periods are half-open for *starting* ([08:00, 12:00)): work received at 12:00 or 17:00 starts
  counting at the next period. A deadline, however, is the earliest instant at which the working time
  has elapsed, so it may be a period *end*: Monday 08:00 + 1 working day is Monday 17:00, never
  Tuesday 08:00.
* Amounts are ``Decimal`` and converted to the nearest whole microsecond (at least 1 µs when positive).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.core.exceptions import ImproperlyConfigured

from motcua.core.api_time import api_datetime
from motcua.worktime.models import TimeUnit

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_HOUR = 60 * US_PER_MINUTE
US_PER_DAY = 24 * US_PER_HOUR

#: Largest accepted budget, in days of its unit (working days, calendar days, or the hour equivalent).
#: Ten years is far beyond any statutory time limit and keeps one call bounded.
MAX_DAYS = 3650

WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")

UNIT_LABELS: dict[str, str] = {
    TimeUnit.WORKING_DAYS: "ngày làm việc",
    TimeUnit.WORKING_HOURS: "giờ làm việc",
    TimeUnit.CALENDAR_DAYS: "ngày (theo lịch)",
    TimeUnit.HOURS: "giờ (liên tục)",
    TimeUnit.SAME_DAY: "trong ngày",
}

_UNIT_HELP = (
    "working_days (ngày làm việc), working_hours (giờ làm việc), calendar_days (ngày theo lịch), "
    "hours (giờ liên tục), same_day (trong ngày)"
)


class WorkTimeError(ValueError):
    """Bad input to the engine; ``str(exc)`` is a Vietnamese message fit for an end user.

    ``param`` names the offending argument (``start``, ``end``, ``amount``, ``unit``…) so an API can
    point at it.
    """

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class DayKind(StrEnum):
    """Why a date is (not) a working day; also the ``kind`` of whole-day explanation items."""

    WORKING = "working"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    EXTRA_DAY_OFF = "extra_day_off"
    MAKE_UP_DAY = "make_up_day"
    EXTRA_WORKING_DAY = "extra_working_day"


#: Explanation item kind for the gap between receipt and the start of counting.
OUTSIDE_HOURS = "outside_hours"

MAKE_UP_DAY_REASON = "Ngày làm bù"

_ONE_DAY = timedelta(days=1)

_SKIPPED_LABELS = (
    (DayKind.WEEKEND, "ngày nghỉ cuối tuần"),
    (DayKind.HOLIDAY, "ngày nghỉ lễ, Tết"),
    (DayKind.EXTRA_DAY_OFF, "ngày nghỉ theo quyết định của tỉnh"),
)


@dataclass(frozen=True, slots=True)
class DayInfo:
    """Status of one date: working or not, and the Vietnamese reason when it is not a plain weekday."""

    day: date
    working: bool
    kind: DayKind
    reason: str


@dataclass(frozen=True, slots=True)
class Override:
    """A province decision for one date (``CalendarException`` without the ORM)."""

    working: bool
    name: str


class ExplanationItem(NamedTuple):
    """One entry of a due-date explanation.

    ``counted`` is False for skipped time (weekends, holidays, days off, receipt outside working hours)
    and True for days that count although they normally would not (make-up Saturdays, extra working
    days). Whole-day items run from local midnight to the next midnight after their last day.
    """

    kind: str
    start: datetime
    end: datetime
    reason: str
    counted: bool

    @property
    def period_text(self) -> str:
        """The period as a person reads it: "05/12/2026" for one whole day, "01/09/2026–02/09/2026" for
        a run of days (``end`` is the midnight after the last one), clock times for part of a day."""
        if self.start.time() == time(0) and self.end.time() == time(0):
            first, last = self.start.date(), (self.end - timedelta(days=1)).date()
            if first == last:
                return f"{first:%d/%m/%Y}"
            return f"{first:%d/%m/%Y}–{last:%d/%m/%Y}"
        return f"{self.start:%H:%M %d/%m/%Y}–{self.end:%H:%M %d/%m/%Y}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": _isoformat(self.start),
            "to": _isoformat(self.end),
            "kind": self.kind,
            "reason": self.reason,
            "counted": self.counted,
        }


@dataclass(frozen=True, slots=True)
class DueExplanation:
    """A due date with the reasons behind it — giải thích hạn xử lý."""

    start: datetime
    counting_start: datetime
    due: datetime
    amount: Decimal
    unit: TimeUnit
    items: tuple[ExplanationItem, ...]
    summary: str
    # ``items`` already serialised (shared with the calendar's memo, hence copied in ``as_dict``).
    serialised_items: tuple[dict[str, Any], ...] = field(default=(), repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, as served by GET /api/v1/calendar/due."""
        serialised = self.serialised_items or tuple(item.as_dict() for item in self.items)
        return {
            "due": api_datetime(self.due),
            "counting_start": api_datetime(self.counting_start),
            "explanation": [dict(item) for item in serialised],
            "summary": self.summary,
        }


class _DaysPart(NamedTuple):
    """The whole-day part of an explanation; depends only on the date range, so it is memoised."""

    items: tuple[ExplanationItem, ...]
    serialised: tuple[dict[str, Any], ...]
    text: str  # summary sentences about the skipped and counted days


_iso_memo: dict[tuple[datetime, Any], str] = {}


def _isoformat(instant: datetime) -> str:
    """``api_datetime(instant)`` (the API's one format of instants), memoised for the whole-day bounds
    that recur in every explanation.

    Formatting a ZoneInfo-aware datetime is the costliest step of serialising an explanation. The key
    includes the tzinfo because aware datetimes in different zones compare equal.
    """
    key = (instant, instant.tzinfo)
    text = _iso_memo.get(key)
    if text is None:
        text = api_datetime(instant)
        if len(_iso_memo) < 20_000:  # bounded: about 50 years of midnights
            _iso_memo[key] = text
    return text


# --------------------------------------------------------------------------------------------------
# Weekly schedule


_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


def _parse_hhmm(value: str, *, setting: str) -> int:
    match = _HHMM.match(str(value))
    hours, minutes = (int(match.group(1)), int(match.group(2))) if match else (-1, -1)
    if not match or minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ImproperlyConfigured(f"WORKTIME[{setting!r}]: {value!r} is not an HH:MM time")
    return hours * US_PER_HOUR + minutes * US_PER_MINUTE


@dataclass(frozen=True, slots=True)
class WorkSchedule:
    """The weekly time model — chế độ làm việc: periods of a working day, working weekdays, zone.

    ``periods`` are (start, end) in microseconds after local midnight, sorted and disjoint.
    """

    tz: ZoneInfo
    periods: tuple[tuple[int, int], ...]
    weekdays: frozenset[int]
    hours_per_day: Decimal
    roll_calendar_days: bool
    min_year: int
    max_year: int

    @property
    def day_length(self) -> int:
        """Working microseconds in one working day."""
        return sum(end - begin for begin, end in self.periods)

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> WorkSchedule:
        """Build and validate from a ``settings.WORKTIME``-shaped mapping (ImproperlyConfigured if wrong)."""
        try:
            tz = ZoneInfo(str(config.get("TIME_ZONE", "Asia/Ho_Chi_Minh")))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ImproperlyConfigured(f"WORKTIME['TIME_ZONE']: {exc}") from exc
        periods = tuple(
            (_parse_hhmm(begin, setting="PERIODS"), _parse_hhmm(end, setting="PERIODS"))
            for begin, end in config.get("PERIODS", [("08:00", "12:00"), ("13:00", "17:00")])
        )
        if not periods:
            raise ImproperlyConfigured("WORKTIME['PERIODS'] must list at least one working period")
        previous_end = 0
        for begin, end in periods:
            if not previous_end <= begin < end:
                raise ImproperlyConfigured("WORKTIME['PERIODS'] must be sorted, non-empty and disjoint")
            previous_end = end
        weekdays = frozenset(int(day) for day in config.get("WEEKDAYS", [1, 2, 3, 4, 5]))
        if not weekdays or not weekdays <= set(range(1, 8)):
            raise ImproperlyConfigured("WORKTIME['WEEKDAYS'] must be ISO weekdays 1 (Monday) … 7 (Sunday)")
        hours_per_day = Decimal(str(config.get("HOURS_PER_DAY", 8)))
        schedule = cls(
            tz=tz,
            periods=periods,
            weekdays=weekdays,
            hours_per_day=hours_per_day,
            roll_calendar_days=bool(config.get("CALENDAR_DAYS_ROLL_TO_WORKING_DAY", True)),
            min_year=int(config.get("MIN_YEAR", 1995)),
            max_year=int(config.get("MAX_YEAR", 2100)),
        )
        # "N working days = N × HOURS_PER_DAY working hours" and "a working day ends at the end of its
        # last period" can only both hold when the periods add up to HOURS_PER_DAY.
        if Decimal(schedule.day_length) != hours_per_day * US_PER_HOUR:
            raise ImproperlyConfigured("WORKTIME['PERIODS'] must add up to WORKTIME['HOURS_PER_DAY'] hours")
        if not 1 <= schedule.min_year <= schedule.max_year <= 9998:
            raise ImproperlyConfigured("WORKTIME['MIN_YEAR'] … ['MAX_YEAR'] is not a valid year range")
        return schedule


# --------------------------------------------------------------------------------------------------
# National calendar (holidays package)


@dataclass(frozen=True, slots=True)
class NationalYear:
    """Public holidays and make-up working days of one year, from ``holidays.VN`` in Vietnamese."""

    holidays: Mapping[date, str]
    make_up_days: frozenset[date]


@cache
def national_year(year: int) -> NationalYear:
    """Holidays of ``year``; cached per process because building a ``holidays.VN`` costs ~1 ms/year."""
    # A swap decree may sit under the neighbouring year (the day off on 31/12/2018 was made up on
    # Sat 5/1/2019), so read three years and keep this year's dates.
    source = holidays.country_holidays("VN", years=range(year - 1, year + 2), language="vi")
    return NationalYear(
        holidays={day: name for day, name in source.items() if day.year == year},
        make_up_days=frozenset(day for day in source.weekend_workdays if day.year == year),
    )


# --------------------------------------------------------------------------------------------------
# Calendar


@dataclass(frozen=True, slots=True)
class _YearBlock:
    first: int  # ordinal of 1 January
    length: int  # days in the year
    flags: bytes  # 1 = working day, indexed by day of year (0-based)
    prefix: list[int]  # prefix[i] = working days among the first i days of the year
    # Days that are not plain working weekdays (weekends, holidays, overrides, make-up days), sorted,
    # so explanations and listings cost O(notable days) instead of O(days in the range).
    notable: list[int]  # ordinals
    infos: Mapping[int, DayInfo]  # ordinal → info, for the same days


class _Computed(NamedTuple):
    start: tuple[int, int]
    counting_start: tuple[int, int]
    due: datetime
    roll_from: int | None  # calendar days: the non-working ordinal the due date was rolled from


Instant = tuple[int, int]  # (date ordinal, microseconds after local midnight), local wall clock

#: A budget as the engine accepts it: Decimal (preferred), int, or its text (from a query string).
Amount = Decimal | int | str | None


class WorkCalendar:
    """Working days and working time of one schedule + national calendar + province overrides.

    Logically immutable: year blocks and explanation parts are memoised lazily; two threads filling
    the same entry compute the same value, so one instance is shared by all threads of a process.
    Build a new instance when the schedule or the overrides change (``selectors.get_calendar``).
    """

    def __init__(self, schedule: WorkSchedule, overrides: Mapping[date, Override] | None = None) -> None:
        self.schedule = schedule
        self.overrides: Mapping[date, Override] = dict(overrides or {})
        self._blocks: dict[int, _YearBlock] = {}
        # Explanations for the same date range recur (every receipt of a day with the same budget);
        # bounded, cleared when full.
        self._parts: dict[tuple[int, int, bool], _DaysPart] = {}
        # Most calls stay within one year: remembering the last block skips the date→year lookup.
        self._last: _YearBlock | None = None
        self._day = schedule.day_length
        self._periods = schedule.periods
        self._tz = schedule.tz
        self._midnight = time(tzinfo=schedule.tz)
        self._periods_text = ", ".join(f"{_hhmm(begin)}–{_hhmm(end)}" for begin, end in schedule.periods)

    # ---- days ------------------------------------------------------------------------------------

    def _block(self, year: int) -> _YearBlock:
        block = self._blocks.get(year)
        if block is None:
            block = self._build_block(year)
            self._blocks[year] = block
        return block

    def _build_block(self, year: int) -> _YearBlock:
        schedule = self.schedule
        if not schedule.min_year <= year <= schedule.max_year:
            raise WorkTimeError(
                f"Thời điểm nằm ngoài phạm vi lịch làm việc được hỗ trợ "
                f"(năm {schedule.min_year}–{schedule.max_year})."
            )
        national = national_year(year)
        first = date(year, 1, 1).toordinal()
        length = date(year + 1, 1, 1).toordinal() - first
        flags = bytearray(length)
        prefix = [0] * (length + 1)
        infos: dict[int, DayInfo] = {}
        for index in range(length):
            day = date.fromordinal(first + index)
            override = self.overrides.get(day)
            regular = day.isoweekday() in schedule.weekdays
            info: DayInfo | None = None
            if override is not None:
                kind = DayKind.EXTRA_WORKING_DAY if override.working else DayKind.EXTRA_DAY_OFF
                info = DayInfo(day, override.working, kind, override.name)
            elif day in national.holidays:
                info = DayInfo(day, False, DayKind.HOLIDAY, national.holidays[day])
            elif day in national.make_up_days and not regular:
                info = DayInfo(day, True, DayKind.MAKE_UP_DAY, MAKE_UP_DAY_REASON)
            elif not regular:
                info = DayInfo(day, False, DayKind.WEEKEND, WEEKDAY_NAMES[day.weekday()])
            working = info.working if info is not None else regular
            if info is not None:
                infos[first + index] = info
            flags[index] = working
            prefix[index + 1] = prefix[index] + working
        return _YearBlock(
            first=first,
            length=length,
            flags=bytes(flags),
            prefix=prefix,
            notable=sorted(infos),
            infos=infos,
        )

    def _locate(self, ordinal: int) -> tuple[_YearBlock, int]:
        block = self._last
        if block is None or not 0 <= ordinal - block.first < block.length:
            block = self._last = self._block(date.fromordinal(ordinal).year)
        return block, ordinal - block.first

    def _working(self, ordinal: int) -> bool:
        block, index = self._locate(ordinal)
        return bool(block.flags[index])

    def day_info(self, day: date) -> DayInfo:
        """Status and reason of ``day``; plain weekends get the weekday name, e.g. "Thứ Bảy"."""
        block, _ = self._locate(day.toordinal())
        return block.infos.get(day.toordinal()) or DayInfo(day, True, DayKind.WORKING, "")

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (ngày làm việc) after holidays, make-up days and overrides."""
        return self._working(day.toordinal())

    def special_days(self, first: date, last: date) -> list[DayInfo]:
        """Days in [first, last] that are not plain working weekdays: days off and make-up days."""
        return self._notable(first.toordinal(), last.toordinal())

    def _notable(self, first: int, last: int) -> list[DayInfo]:
        result: list[DayInfo] = []
        ordinal = first
        while ordinal <= last:
            block, _ = self._locate(ordinal)
            low = bisect_left(block.notable, ordinal)
            high = bisect_right(block.notable, last)
            result.extend(block.infos[day] for day in block.notable[low:high])
            ordinal = block.first + block.length
        return result

    def _count_working_days(self, first: int, stop: int) -> int:
        """Working days among ordinals [first, stop)."""
        total = 0
        ordinal = first
        while ordinal < stop:
            block, index = self._locate(ordinal)
            end = min(stop - block.first, block.length)
            total += block.prefix[end] - block.prefix[index]
            ordinal = block.first + end
        return total

    def _nth_working_day_after(self, ordinal: int, n: int) -> int:
        """Ordinal of the ``n``-th (n ≥ 1) working day strictly after ``ordinal``."""
        ordinal += 1
        while True:
            block, index = self._locate(ordinal)
            available = block.prefix[-1] - block.prefix[index]
            if n <= available:
                # prefix is non-decreasing; the first index reaching the target count is one past the day.
                return block.first + bisect_left(block.prefix, block.prefix[index] + n) - 1
            n -= available
            ordinal = block.first + block.length

    # ---- instants --------------------------------------------------------------------------------

    def _to_local(self, instant: datetime, *, param: str = "start") -> Instant:
        if not isinstance(instant, datetime):
            raise WorkTimeError(f"Thời điểm {param} phải là datetime.", param=param)
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise WorkTimeError(
                f"Thời điểm {param} phải có múi giờ (ví dụ 2026-04-13T10:00:00+07:00).", param=param
            )
        try:
            local = instant.astimezone(self._tz)
        except OverflowError as exc:
            raise WorkTimeError(f"Thời điểm {param} nằm ngoài phạm vi hỗ trợ.", param=param) from exc
        if not self.schedule.min_year <= local.year <= self.schedule.max_year:
            raise WorkTimeError(
                f"Thời điểm {param} nằm ngoài phạm vi lịch làm việc được hỗ trợ "
                f"(năm {self.schedule.min_year}–{self.schedule.max_year}).",
                param=param,
            )
        tod = (
            local.hour * US_PER_HOUR
            + local.minute * US_PER_MINUTE
            + local.second * US_PER_SECOND
            + local.microsecond
        )
        return local.toordinal(), tod

    def _to_aware(self, instant: Instant) -> datetime:
        ordinal, tod = instant
        midnight = datetime.combine(date.fromordinal(ordinal), self._midnight)
        return midnight + timedelta(microseconds=tod) if tod else midnight

    def _worked_before(self, tod: int) -> int:
        """Working microseconds of a working day before time-of-day ``tod``."""
        return sum(min(max(tod - begin, 0), end - begin) for begin, end in self._periods)

    def _next_working(self, instant: Instant) -> Instant:
        ordinal, tod = instant
        if self._working(ordinal):
            for begin, end in self._periods:
                if tod < end:
                    return ordinal, max(begin, tod)
        return self._nth_working_day_after(ordinal, 1), self._periods[0][0]

    def _add(self, instant: Instant, work: int) -> Instant:
        """Earliest instant at which ``work`` working microseconds have elapsed after ``instant``."""
        ordinal, tod = instant
        if self._working(ordinal):
            for begin, end in self._periods:
                begin = max(begin, tod)
                if begin >= end:
                    continue
                # "<=": reaching the end of a period exactly is due at that end, not at the next start.
                if work <= end - begin:
                    return ordinal, begin + work
                work -= end - begin
        if work == 0:
            return self._nth_working_day_after(ordinal, 1), self._periods[0][0]
        full_days, rest = divmod(work - 1, self._day)
        rest += 1  # in (0, day]: the last day always has some work left, so it ends inside it
        ordinal = self._nth_working_day_after(ordinal, full_days + 1)
        for begin, end in self._periods:
            if rest <= end - begin:
                return ordinal, begin + rest
            rest -= end - begin
        raise AssertionError("unreachable: rest never exceeds one working day")

    def _between(self, first: Instant, second: Instant) -> int:
        """Working microseconds in [first, second] (first ≤ second)."""
        total = self._count_working_days(first[0], second[0]) * self._day
        if self._working(first[0]):
            total -= self._worked_before(first[1])
        if self._working(second[0]):
            total += self._worked_before(second[1])
        return total

    def is_working_time(self, instant: datetime) -> bool:
        """Whether ``instant`` lies inside a working period of a working day."""
        ordinal, tod = self._to_local(instant, param="instant")
        return self._working(ordinal) and any(begin <= tod < end for begin, end in self._periods)

    def next_working_instant(self, instant: datetime) -> datetime:
        """``instant`` itself if it is working time, else the start of the next working period."""
        return self._to_aware(self._next_working(self._to_local(instant, param="instant")))

    def end_of_working_day(self, day: date) -> datetime:
        """End of the last working period of ``day`` (whether or not ``day`` is a working day)."""
        return self._to_aware((day.toordinal(), self._periods[-1][1]))

    # ---- public arithmetic -----------------------------------------------------------------------

    def add_working_duration(self, *, start: datetime, duration: timedelta) -> datetime:
        """Deadline after ``duration`` of working time, e.g. the time left when a paused dossier resumes.

        A zero duration returns the start rolled to working time (the instant counting would begin).
        """
        if not isinstance(duration, timedelta) or duration < timedelta(0):
            raise WorkTimeError("Thời lượng làm việc còn lại không được âm.", param="duration")
        if duration > timedelta(days=MAX_DAYS) * float(self.schedule.hours_per_day) / 24:
            raise WorkTimeError(f"Thời lượng quá lớn: tối đa {MAX_DAYS} ngày làm việc.", param="duration")
        instant = self._to_local(start)
        return self._to_aware(self._add(instant, duration // timedelta(microseconds=1)))

    def add_working_time(self, *, start: datetime, amount: Amount, unit: TimeUnit | str) -> datetime:
        """Due instant of a budget of ``amount`` ``unit`` counted from ``start`` (see ``explain_due``)."""
        return self._compute(start, amount, unit)[1].due

    def working_time_between(self, *, start: datetime, end: datetime) -> timedelta:
        """Working time (thời gian làm việc) elapsed between two instants; negative if ``end`` < ``start``.

        Use it for the time left at a pause and for lateness; it is 0 across pure non-working time, so
        compare the instants themselves to decide *whether* something is late.
        """
        first = self._to_local(start, param="start")
        second = self._to_local(end, param="end")
        if second < first:
            return -timedelta(microseconds=self._between(second, first))
        return timedelta(microseconds=self._between(first, second))

    def explain_due(self, *, start: datetime, amount: Amount, unit: TimeUnit | str) -> DueExplanation:
        """Due instant plus the days skipped or counted and a Vietnamese summary.

        Items: one ``outside_hours`` item when receipt is outside working time (from receipt to the
        start of counting), then whole days, merged when consecutive with the same reason: for working
        units every non-working day from the receipt date to the due date and every make-up or extra
        working day counted; for calendar days only the days skipped before counting starts and those
        the due date rolled over. Night and lunch breaks are not listed (the summary mentions them).
        """
        value, computed, unit = self._compute(start, amount, unit)
        received = self._to_aware(computed.start)
        outside = computed.counting_start != computed.start
        counting_start = self._to_aware(computed.counting_start) if outside else received
        first_items: tuple[ExplanationItem, ...] = ()
        if outside:
            reason = "Tiếp nhận ngoài giờ làm việc; thời hạn bắt đầu tính từ " + format_instant(
                counting_start
            )
            first_items = (ExplanationItem(OUTSIDE_HOURS, received, counting_start, reason, False),)
        due_ordinal = computed.due.toordinal()
        if unit == TimeUnit.HOURS:
            part = _NO_DAYS
        elif unit != TimeUnit.CALENDAR_DAYS:
            part = self._days_part(computed.start[0], due_ordinal)
        elif computed.roll_from is not None:
            # Days off before counting starts, then the days the due date rolled over.
            before = self._days_part(computed.start[0], computed.counting_start[0], calendar_days=True)
            roll = self._days_part(computed.roll_from, due_ordinal - 1, calendar_days=True)
            part = _DaysPart(before.items + roll.items, before.serialised + roll.serialised, "")
        else:
            part = self._days_part(computed.start[0], computed.counting_start[0], calendar_days=True)
        return DueExplanation(
            start=received,
            counting_start=counting_start,
            due=computed.due,
            amount=value,
            unit=unit,
            items=first_items + part.items,
            summary=self._summary(value, unit, received, counting_start, computed, part.text),
            serialised_items=tuple(item.as_dict() for item in first_items) + part.serialised,
        )

    # ---- internals -------------------------------------------------------------------------------

    def _compute(
        self, start: datetime, amount: Amount, unit: TimeUnit | str
    ) -> tuple[Decimal, _Computed, TimeUnit]:
        unit = parse_unit(unit)
        value = validate_amount(amount, unit, hours_per_day=self.schedule.hours_per_day)
        instant = self._to_local(start)
        if unit == TimeUnit.HOURS:
            # Clock hours run straight through nights, weekends and holidays: plain elapsed time.
            due = (start + timedelta(microseconds=_micros(value * US_PER_HOUR))).astimezone(self._tz)
            self._to_local(due, param="due")  # range check of the result
            return value, _Computed(instant, instant, due, None), unit
        counting_start = self._next_working(instant)
        roll_from: int | None = None
        if unit == TimeUnit.WORKING_DAYS:
            due_local = self._add(instant, _micros(value * self.schedule.hours_per_day * US_PER_HOUR))
        elif unit == TimeUnit.WORKING_HOURS:
            due_local = self._add(instant, _micros(value * US_PER_HOUR))
        elif unit == TimeUnit.SAME_DAY:
            due_local = (counting_start[0], self._periods[-1][1])
        else:  # calendar days: same wall-clock time N days after counting starts
            ordinal = counting_start[0] + int(value)
            due_local = (ordinal, counting_start[1])
            if self.schedule.roll_calendar_days and not self._working(ordinal):
                # Civil Code 2015 art. 148: a period ending on a day off ends at the end of the next
                # working day.
                roll_from = ordinal
                due_local = (self._nth_working_day_after(ordinal, 1), self._periods[-1][1])
            else:
                self._block(date.fromordinal(ordinal).year)  # range check of the result
        return value, _Computed(instant, counting_start, self._to_aware(due_local), roll_from), unit

    def _days_part(self, first: int, last: int, *, calendar_days: bool = False) -> _DaysPart:
        """Whole days of an explanation for ordinals [first, last], memoised per range.

        Working units list every notable day (days off and the make-up / extra working days that
        count); calendar days list only days off (the ones before counting starts or rolled over).
        """
        key = (first, last, calendar_days)
        part = self._parts.get(key)
        if part is None:
            days = self._notable(first, last)
            if calendar_days:
                days = [info for info in days if not info.working]
            items = tuple(self._merge_days(days))
            text = "" if calendar_days else _days_text(days)
            part = _DaysPart(items, tuple(item.as_dict() for item in items), text)
            if len(self._parts) >= 4096:
                self._parts.clear()
            self._parts[key] = part
        return part

    def _merge_days(self, days: Sequence[DayInfo]) -> list[ExplanationItem]:
        """One item per run of consecutive days with the same kind and reason (e.g. 1–2/9 Quốc khánh)."""
        items: list[ExplanationItem] = []
        midnight = self._midnight
        index, count = 0, len(days)
        while index < count:
            first = last = days[index]
            index += 1
            while index < count:
                following = days[index]
                if (following.kind, following.reason) != (first.kind, first.reason) or (
                    following.day - last.day
                ).days != 1:
                    break
                last = following
                index += 1
            items.append(
                ExplanationItem(
                    first.kind.value,
                    datetime.combine(first.day, midnight),
                    datetime.combine(last.day + _ONE_DAY, midnight),
                    first.reason,
                    first.working,
                )
            )
        return items

    def _summary(
        self,
        value: Decimal,
        unit: TimeUnit,
        received: datetime,
        counting_start: datetime,
        computed: _Computed,
        days_text: str,
    ) -> str:
        budget = (
            UNIT_LABELS[unit] if unit == TimeUnit.SAME_DAY else f"{format_amount(value)} {UNIT_LABELS[unit]}"
        )
        counting_text = format_instant(counting_start)
        parts = [f"Hạn xử lý: {format_instant(computed.due)} ({budget}, tính từ {counting_text})."]
        if computed.counting_start != computed.start:
            parts.append(
                f"Tiếp nhận lúc {format_instant(received)} là ngoài giờ làm việc nên thời hạn bắt đầu "
                f"tính từ {counting_text}."
            )
        if computed.roll_from is not None:
            rolled = format_day(date.fromordinal(computed.roll_from))
            parts.append(
                f"Ngày cuối cùng của thời hạn ({rolled}) là ngày nghỉ nên hạn chuyển sang "
                "cuối ngày làm việc tiếp theo."
            )
        if days_text:
            parts.append(days_text)
        if unit in (TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS):
            parts.append(f"Chỉ tính giờ làm việc {self._periods_text} của ngày làm việc.")
        elif unit == TimeUnit.HOURS:
            parts.append("Thời hạn tính liên tục theo giờ, kể cả ngoài giờ làm việc và ngày nghỉ.")
        return " ".join(parts)


_NO_DAYS = _DaysPart((), (), "")


def _days_text(days: Sequence[DayInfo]) -> str:
    """Summary sentences about the days skipped and the extra days counted."""
    skipped: dict[DayKind, int] = {}
    counted: list[DayInfo] = []
    for info in days:
        if info.working:
            counted.append(info)
        else:
            skipped[info.kind] = skipped.get(info.kind, 0) + 1
    parts = []
    if skipped:
        detail = ", ".join(f"{skipped[kind]} {label}" for kind, label in _SKIPPED_LABELS if kind in skipped)
        parts.append(f"Không tính {sum(skipped.values())} ngày nghỉ ({detail}).")
    if counted:
        listed = ", ".join(f"{format_day(info.day)} ({info.reason})" for info in counted)
        parts.append(f"Có tính ngày làm việc ngoài lịch thường lệ: {listed}.")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------------
# Validation and formatting helpers


def parse_unit(unit: TimeUnit | str | None) -> TimeUnit:
    """``TimeUnit`` from its value, or WorkTimeError with the list of valid units."""
    if unit is None or unit == "":
        raise WorkTimeError(f"Thiếu đơn vị thời gian (unit). Chọn một trong: {_UNIT_HELP}.", param="unit")
    try:
        return TimeUnit(unit)
    except ValueError:
        raise WorkTimeError(
            f"Đơn vị thời gian không hợp lệ: “{unit}”. Chọn một trong: {_UNIT_HELP}.", param="unit"
        ) from None


def validate_amount(amount: Amount, unit: TimeUnit, *, hours_per_day: Decimal) -> Decimal:
    """The budget as a finite, non-negative ``Decimal`` within ``MAX_DAYS``; WorkTimeError otherwise.

    Zero is accepted here (the start rolled to working time; see ``WorkCalendar._add``); an API that
    takes a statutory time limit should reject it itself. ``same_day`` takes no amount (or 0 or 1).
    """
    if unit == TimeUnit.SAME_DAY:
        if amount is None or amount == "":
            return Decimal(1)
    elif amount is None or amount == "":
        raise WorkTimeError("Thiếu thời hạn (amount).", param="amount")
    if isinstance(amount, bool):
        raise WorkTimeError("Thời hạn (amount) phải là một số.", param="amount")
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise WorkTimeError(
            f"Thời hạn (amount) phải là một số, nhận được “{amount}”.", param="amount"
        ) from None
    if not value.is_finite():
        raise WorkTimeError("Thời hạn (amount) phải là một số hữu hạn.", param="amount")
    if value < 0:
        raise WorkTimeError("Thời hạn (amount) không được âm.", param="amount")
    if unit == TimeUnit.SAME_DAY:
        if value not in (0, 1):
            raise WorkTimeError(
                "Thời hạn “trong ngày” (same_day) không nhận số lượng (để trống hoặc 1).", param="amount"
            )
        return Decimal(1)
    limits = _limits(hours_per_day)
    if value > limits[unit]:
        raise WorkTimeError(
            f"Thời hạn quá lớn: tối đa {format_amount(limits[unit])} {UNIT_LABELS[unit]}.", param="amount"
        )
    if unit == TimeUnit.CALENDAR_DAYS and value != value.to_integral_value():
        raise WorkTimeError("Thời hạn tính theo ngày (calendar_days) phải là số nguyên.", param="amount")
    return value


@lru_cache(maxsize=8)
def _limits(hours_per_day: Decimal) -> dict[str, Decimal]:
    return {
        TimeUnit.WORKING_DAYS: Decimal(MAX_DAYS),
        TimeUnit.WORKING_HOURS: MAX_DAYS * hours_per_day,
        TimeUnit.CALENDAR_DAYS: Decimal(MAX_DAYS),
        TimeUnit.HOURS: Decimal(MAX_DAYS * 24),
    }


def _micros(value: Decimal) -> int:
    # Nearest microsecond, not ceiling: 1/60 hour as a Decimal is 0.0166…67 and must not become
    # 60.000001 s. A positive budget still takes at least 1 µs so it never lands on its own start.
    micros = int(value.to_integral_value(rounding=ROUND_HALF_EVEN))
    return max(micros, 1) if value > 0 else micros


def _hhmm(microseconds: int) -> str:
    minutes = microseconds // US_PER_MINUTE
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_amount(value: Decimal) -> str:
    """Vietnamese number: decimal comma, no trailing zeros ("1,5", "3")."""
    return format(value.normalize(), "f").replace(".", ",")


def format_day(day: date) -> str:
    """E.g. "Thứ Bảy, 22/08/2026"."""
    # Hand-formatted: strftime is several times slower and this runs a few times per API request.
    return f"{WEEKDAY_NAMES[day.weekday()]}, {day.day:02d}/{day.month:02d}/{day.year}"


def format_instant(instant: datetime) -> str:
    """E.g. "10:00 Thứ Năm, 16/04/2026" (seconds shown only when not zero)."""
    clock = f"{instant.hour:02d}:{instant.minute:02d}"
    if instant.second or instant.microsecond:
        clock += f":{instant.second:02d}"
    return f"{clock} {format_day(instant.date())}"
