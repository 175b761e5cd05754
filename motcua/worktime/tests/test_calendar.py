"""Hand-written cases for the pure engine (docs/domain.md §6); no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import holidays
import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from motcua.worktime.calendar import (
    DayKind,
    Override,
    WorkCalendar,
    WorkSchedule,
    WorkTimeError,
    format_amount,
    format_instant,
)
from motcua.worktime.models import TimeUnit
from motcua.worktime.tests.helpers import VN, vn

WD = TimeUnit.WORKING_DAYS
WH = TimeUnit.WORKING_HOURS


def add(calendar: WorkCalendar, start: str, amount: str, unit: TimeUnit) -> datetime:
    return calendar.add_working_time(start=vn(start), amount=Decimal(amount), unit=unit)


# ---- docs/domain.md §6 examples ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "amount", "unit", "due"),
    [
        # Monday 10:00 + 3 working days → Thursday 10:00.
        ("2026-04-13 10:00", "3", WD, "2026-04-16 10:00"),
        # Monday 08:00 + 1 working day → Monday 17:00, not Tuesday 08:00.
        ("2026-04-13 08:00", "1", WD, "2026-04-13 17:00"),
        # Friday 16:00 + 1 working day → Monday 16:00.
        ("2026-04-17 16:00", "1", WD, "2026-04-20 16:00"),
        # Saturday: counting starts Monday 08:00.
        ("2026-04-18 10:00", "1", WD, "2026-04-20 17:00"),
        ("2026-04-18 10:00", "2", WH, "2026-04-20 10:00"),
        # Sunday night, Friday after hours.
        ("2026-04-19 23:59", "1", WH, "2026-04-20 09:00"),
        ("2026-04-17 17:00", "1", WH, "2026-04-20 09:00"),
        # Before opening.
        ("2026-04-13 06:30", "1", WH, "2026-04-13 09:00"),
        # Lunch break is not counted: 11:00 + 2 working hours → 14:00.
        ("2026-04-13 11:00", "2", WH, "2026-04-13 14:00"),
        # Received during lunch: counting starts 13:00.
        ("2026-04-13 12:30", "1", WH, "2026-04-13 14:00"),
        # Exactly reaching the end of the morning is due at 12:00, not 13:00.
        ("2026-04-13 10:00", "2", WH, "2026-04-13 12:00"),
        ("2026-04-13 08:00", "4", WH, "2026-04-13 12:00"),
        # Half and one-and-a-half working days.
        ("2026-04-13 08:00", "0.5", WD, "2026-04-13 12:00"),
        ("2026-04-13 10:00", "0.5", WD, "2026-04-13 15:00"),
        ("2026-04-13 08:00", "1.5", WD, "2026-04-14 12:00"),
        ("2026-04-13 14:00", "1.5", WD, "2026-04-15 09:00"),
        # Received at 17:00 exactly: next morning.
        ("2026-04-13 17:00", "0.5", WD, "2026-04-14 12:00"),
        # A long budget: 15 working days across weekends.
        ("2026-04-06 09:00", "15", WD, "2026-04-28 09:00"),  # 27/4 observed Hùng Kings
    ],
)
def test_design_examples(national, start, amount, unit, due):
    assert add(national, start, amount, unit) == vn(due)


def test_tet_2026_is_skipped(national):
    # Tết 2026: Mon 16/2 … Fri 20/2 off, plus the weekends either side.
    for day in range(16, 21):
        assert not national.is_working_day(date(2026, 2, day))
    assert add(national, "2026-02-13 10:00", "1", WD) == vn("2026-02-23 10:00")
    assert add(national, "2026-02-12 10:00", "3", WD) == vn("2026-02-24 10:00")
    assert national.day_info(date(2026, 2, 17)).reason == "Tết Nguyên Đán"


def test_national_day_2026_with_substituted_monday(national):
    # 31/8/2026 is the day off swapped for Saturday 22/8; 1 and 2/9 are Quốc khánh.
    assert [national.is_working_day(date(2026, 8, 31)), national.is_working_day(date(2026, 9, 1))] == [
        False,
        False,
    ]
    assert not national.is_working_day(date(2026, 9, 2))
    # Friday 28/8 10:00 + 1 working day: Sat, Sun, Mon 31, Tue 1, Wed 2 all skipped.
    assert add(national, "2026-08-28 10:00", "1", WD) == vn("2026-09-03 10:00")
    assert national.day_info(date(2026, 8, 31)).reason == "Ngày nghỉ (thay cho ngày 22/08/2026)"


def test_make_up_saturday_2026_counts(national):
    info = national.day_info(date(2026, 8, 22))
    assert (info.working, info.kind, info.reason) == (True, DayKind.MAKE_UP_DAY, "Ngày làm bù")
    # Friday 21/8 10:00 + 1 working day → Saturday 22/8 10:00 (the make-up day counts).
    assert add(national, "2026-08-21 10:00", "1", WD) == vn("2026-08-22 10:00")
    # Received on the make-up Saturday itself: it is working time.
    assert national.is_working_time(vn("2026-08-22 09:00"))


def test_make_up_saturday_2025(national):
    assert national.is_working_day(date(2025, 4, 26))
    assert not national.is_working_day(date(2025, 5, 2))  # the swapped day off
    # Fri 25/4 16:00 + 1 working day → Sat 26/4 16:00.
    assert add(national, "2025-04-25 16:00", "1", WD) == vn("2025-04-26 16:00")
    # 29/4 10:00 + 1 day: 30/4, 1/5, 2/5 off, weekend → Mon 5/5 10:00.
    assert add(national, "2025-04-29 10:00", "1", WD) == vn("2025-05-05 10:00")


def test_vietnamese_culture_day_2026(national):
    info = national.day_info(date(2026, 11, 24))
    assert (info.working, info.kind, info.reason) == (False, DayKind.HOLIDAY, "Ngày Văn hóa Việt Nam")
    assert add(national, "2026-11-23 10:00", "1", WD) == vn("2026-11-25 10:00")
    assert national.is_working_day(date(2025, 11, 24))  # not a holiday before 2026


def test_matches_holidays_package_day_by_day(national):
    reference = holidays.country_holidays("VN", years=range(2015, 2031))
    day = date(2015, 1, 1)
    while day <= date(2030, 12, 31):
        assert national.is_working_day(day) == reference.is_working_day(day), day
        day += timedelta(days=1)


def test_overrides_change_the_result(schedule):
    base = WorkCalendar(schedule)
    assert add(base, "2026-04-13 10:00", "3", WD) == vn("2026-04-16 10:00")
    day_off = WorkCalendar(
        schedule, {date(2026, 4, 15): Override(False, "Nghỉ theo Quyết định của UBND tỉnh")}
    )
    assert add(day_off, "2026-04-13 10:00", "3", WD) == vn("2026-04-17 10:00")
    saturday = WorkCalendar(schedule, {date(2026, 4, 18): Override(True, "Làm việc bù theo Quyết định")})
    assert add(saturday, "2026-04-16 10:00", "2", WD) == vn("2026-04-18 10:00")
    info = saturday.day_info(date(2026, 4, 18))
    assert (info.kind, info.reason) == (DayKind.EXTRA_WORKING_DAY, "Làm việc bù theo Quyết định")
    # An override wins over the national calendar: working on Tết's fourth day.
    tet = WorkCalendar(schedule, {date(2026, 2, 20): Override(True, "Trực Tết")})
    assert add(tet, "2026-02-13 10:00", "1", WD) == vn("2026-02-20 10:00")


# ---- other units -----------------------------------------------------------------------------------


def test_calendar_days(national):
    # Monday + 6 calendar days = Sunday → rolled to the end of Monday.
    assert add(national, "2026-04-13 10:00", "6", TimeUnit.CALENDAR_DAYS) == vn("2026-04-20 17:00")
    # Ending on a working day keeps the time of day.
    assert add(national, "2026-04-13 10:00", "7", TimeUnit.CALENDAR_DAYS) == vn("2026-04-20 10:00")
    # Weekends inside the span count as calendar days.
    assert add(national, "2026-04-13 10:00", "10", TimeUnit.CALENDAR_DAYS) == vn("2026-04-23 10:00")
    # Ending in Tết rolls past all of it.
    assert add(national, "2026-02-10 10:00", "5", TimeUnit.CALENDAR_DAYS) == vn("2026-02-23 17:00")
    # Received on Saturday: counting starts Monday 08:00.
    assert add(national, "2026-04-18 10:00", "3", TimeUnit.CALENDAR_DAYS) == vn("2026-04-23 08:00")


def test_calendar_days_without_roll(schedule):
    from dataclasses import replace

    calendar = WorkCalendar(replace(schedule, roll_calendar_days=False))
    assert add(calendar, "2026-04-13 10:00", "6", TimeUnit.CALENDAR_DAYS) == vn("2026-04-19 10:00")


def test_clock_hours_run_through_nights_and_weekends(national):
    assert add(national, "2026-04-17 16:00", "24", TimeUnit.HOURS) == vn("2026-04-18 16:00")
    assert add(national, "2026-04-18 22:00", "1.5", TimeUnit.HOURS) == vn("2026-04-18 23:30")


def test_same_day(national):
    assert add(national, "2026-04-13 09:00", "1", TimeUnit.SAME_DAY) == vn("2026-04-13 17:00")
    assert add(national, "2026-04-13 16:59", "1", TimeUnit.SAME_DAY) == vn("2026-04-13 17:00")
    assert add(national, "2026-04-13 17:30", "1", TimeUnit.SAME_DAY) == vn("2026-04-14 17:00")
    assert add(national, "2026-04-18 09:00", "0", TimeUnit.SAME_DAY) == vn("2026-04-20 17:00")
    assert national.add_working_time(start=vn("2026-04-13 09:00"), amount=None, unit="same_day") == vn(
        "2026-04-13 17:00"
    )


def test_zero_amount_returns_the_counting_start(national):
    assert add(national, "2026-04-13 10:00", "0", WD) == vn("2026-04-13 10:00")
    assert add(national, "2026-04-13 12:00", "0", WH) == vn("2026-04-13 13:00")
    assert add(national, "2026-04-17 17:00", "0", WD) == vn("2026-04-20 08:00")
    assert add(national, "2026-04-18 10:00", "0", TimeUnit.HOURS) == vn("2026-04-18 10:00")


def test_input_offset_output_in_vietnam_time(national):
    start = datetime(2026, 4, 13, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
    due = national.add_working_time(start=start, amount=Decimal(3), unit=WD)
    assert due.isoformat() == "2026-04-16T10:00:00+07:00"
    assert due.tzinfo == VN
    # A start on Sunday 20:00 UTC is Monday 03:00 local: before opening.
    sunday = datetime(2026, 4, 12, 20, 0, tzinfo=UTC)
    assert national.add_working_time(start=sunday, amount=1, unit=WH) == vn("2026-04-13 09:00")


def test_amount_rounds_to_the_microsecond(national):
    start = vn("2026-04-13 08:00")
    due = national.add_working_time(start=start, amount=Decimal("0.0000000001"), unit=WH)
    assert due == start + timedelta(microseconds=1)  # a positive budget never ends at its start
    one_minute = national.add_working_time(start=start, amount=Decimal(1) / 60, unit=WH)
    assert one_minute == start + timedelta(minutes=1)


def test_results_do_not_depend_on_today(national, schedule):
    with time_machine.travel(datetime(2031, 7, 1, tzinfo=VN), tick=False):
        fresh = WorkCalendar(schedule)
        assert add(fresh, "2026-02-13 10:00", "1", WD) == vn("2026-02-23 10:00")
        assert add(fresh, "2025-04-25 16:00", "1", WD) == vn("2025-04-26 16:00")


# ---- working_time_between and helpers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2026-04-13 10:00", "2026-04-16 10:00", 24),
        ("2026-04-13 11:00", "2026-04-13 14:00", 2),
        ("2026-04-17 16:00", "2026-04-20 16:00", 8),
        ("2026-04-18 10:00", "2026-04-19 10:00", 0),
        ("2026-04-13 18:00", "2026-04-14 07:00", 0),
        ("2026-02-13 08:00", "2026-02-24 08:00", 16),
        ("2026-04-13 10:00", "2026-04-13 10:00", 0),
    ],
)
def test_working_time_between(national, start, end, hours):
    assert national.working_time_between(start=vn(start), end=vn(end)) == timedelta(hours=hours)
    assert national.working_time_between(start=vn(end), end=vn(start)) == -timedelta(hours=hours)


def test_add_working_duration(national):
    start = vn("2026-04-17 16:00")
    assert national.add_working_duration(start=start, duration=timedelta(hours=8)) == vn("2026-04-20 16:00")
    assert national.add_working_duration(start=vn("2026-04-18 09:00"), duration=timedelta(0)) == vn(
        "2026-04-20 08:00"
    )
    with pytest.raises(WorkTimeError):
        national.add_working_duration(start=start, duration=timedelta(hours=-1))


def test_next_working_instant_and_working_time(national):
    assert national.next_working_instant(vn("2026-04-13 12:00")) == vn("2026-04-13 13:00")
    assert national.next_working_instant(vn("2026-04-13 09:15")) == vn("2026-04-13 09:15")
    assert national.is_working_time(vn("2026-04-13 08:00"))
    assert not national.is_working_time(vn("2026-04-13 12:00"))
    assert not national.is_working_time(vn("2026-04-18 09:00"))
    assert national.end_of_working_day(date(2026, 4, 13)) == vn("2026-04-13 17:00")


def test_special_days_lists_days_off_and_make_up_days(national):
    listed = national.special_days(date(2026, 8, 20), date(2026, 9, 3))
    assert [(info.day.isoformat(), info.kind, info.working) for info in listed] == [
        ("2026-08-22", DayKind.MAKE_UP_DAY, True),
        ("2026-08-23", DayKind.WEEKEND, False),
        ("2026-08-29", DayKind.WEEKEND, False),
        ("2026-08-30", DayKind.WEEKEND, False),
        ("2026-08-31", DayKind.HOLIDAY, False),
        ("2026-09-01", DayKind.HOLIDAY, False),
        ("2026-09-02", DayKind.HOLIDAY, False),
    ]


# ---- explanation -----------------------------------------------------------------------------------


def test_explanation_lists_skipped_days(national):
    explanation = national.explain_due(start=vn("2026-02-13 10:00"), amount=Decimal(1), unit=WD)
    assert explanation.due == vn("2026-02-23 10:00")
    items = [item.as_dict() for item in explanation.items]
    assert items[0] == {
        "from": "2026-02-14T00:00:00+07:00",
        "to": "2026-02-15T00:00:00+07:00",
        "kind": "weekend",
        "reason": "Thứ Bảy",
        "counted": False,
    }
    assert [item["reason"] for item in items] == [
        "Thứ Bảy",
        "Chủ Nhật",
        "Giao thừa Tết Nguyên Đán",
        "Tết Nguyên Đán",
        "Mùng hai Tết Nguyên Đán",
        "Mùng ba Tết Nguyên Đán",
        "Mùng bốn Tết Nguyên Đán",
        "Thứ Bảy",
        "Chủ Nhật",
    ]
    assert "Không tính 9 ngày nghỉ (4 ngày nghỉ cuối tuần, 5 ngày nghỉ lễ, Tết)" in explanation.summary
    assert explanation.summary.startswith("Hạn xử lý: 10:00 Thứ Hai, 23/02/2026 (1 ngày làm việc")


def test_explanation_merges_consecutive_days_with_the_same_reason(national):
    # 1/9 and 2/9/2026 are both "Quốc khánh": one item spanning two days.
    explanation = national.explain_due(start=vn("2026-08-28 10:00"), amount=Decimal(1), unit=WD)
    national_day = [item for item in explanation.items if item.reason == "Quốc khánh"]
    assert len(national_day) == 1
    assert (national_day[0].start, national_day[0].end) == (vn("2026-09-01 00:00"), vn("2026-09-03 00:00"))


def test_explanation_items_read_as_the_days_they_cover(national):
    """A lone Saturday reads "29/08/2026", not "29/08/2026–30/08/2026" (the end is the next midnight)."""
    explanation = national.explain_due(start=vn("2026-08-28 10:00"), amount=Decimal(1), unit=WD)
    texts = {item.reason: item.period_text for item in explanation.items}
    assert texts["Quốc khánh"] == "01/09/2026–02/09/2026"
    assert texts["Chủ Nhật"] == "30/08/2026"
    late = national.explain_due(start=vn("2026-08-21 18:30"), amount=Decimal(1), unit=WD)
    assert late.items[0].period_text == "18:30 21/08/2026–08:00 22/08/2026"


def test_explanation_outside_hours_and_make_up_day(national):
    explanation = national.explain_due(start=vn("2026-08-21 18:30"), amount=Decimal(1), unit=WD)
    assert explanation.due == vn("2026-08-22 17:00")
    first, second = explanation.items
    assert (first.kind, first.start, first.end, first.counted) == (
        "outside_hours",
        vn("2026-08-21 18:30"),
        vn("2026-08-22 08:00"),
        False,
    )
    assert (second.kind, second.reason, second.counted) == ("make_up_day", "Ngày làm bù", True)
    assert "ngoài giờ làm việc" in explanation.summary
    assert "22/08/2026 (Ngày làm bù)" in explanation.summary


def test_explanation_names_province_exceptions(schedule):
    calendar = WorkCalendar(
        schedule, {date(2026, 4, 15): Override(False, "Nghỉ bù theo Quyết định 12/QĐ-UBND")}
    )
    explanation = calendar.explain_due(start=vn("2026-04-13 10:00"), amount=Decimal(3), unit=WD)
    assert [(item.kind, item.reason) for item in explanation.items] == [
        ("extra_day_off", "Nghỉ bù theo Quyết định 12/QĐ-UBND")
    ]
    assert "1 ngày nghỉ theo quyết định của tỉnh" in explanation.summary


def test_explanation_of_a_rolled_calendar_day_deadline(national):
    explanation = national.explain_due(start=vn("2026-04-13 10:00"), amount=6, unit="calendar_days")
    assert [(item.kind, item.reason) for item in explanation.items] == [("weekend", "Chủ Nhật")]
    assert "chuyển sang cuối ngày làm việc tiếp theo" in explanation.summary
    plain = national.explain_due(start=vn("2026-04-13 10:00"), amount=10, unit="calendar_days")
    assert plain.items == ()


def test_explanation_of_clock_hours_has_no_items(national):
    explanation = national.explain_due(start=vn("2026-04-18 10:00"), amount=2, unit="hours")
    assert explanation.items == ()
    assert "liên tục" in explanation.summary


def test_memoised_explanations_are_not_shared_mutably(national):
    start = vn("2026-02-13 10:00")
    first = national.explain_due(start=start, amount=1, unit=WD).as_dict()
    first["explanation"][0]["reason"] = "changed"
    first["explanation"].clear()
    again = national.explain_due(start=start, amount=1, unit=WD).as_dict()
    assert again["explanation"][0]["reason"] == "Thứ Bảy"
    assert len(again["explanation"]) == 9


def test_same_date_range_for_different_units(national):
    # Both explanations cover 21–22/8/2026; working units list the counted make-up Saturday, calendar
    # days list only days off: the memo must keep them apart.
    start = vn("2026-08-21 18:00")
    working = national.explain_due(start=start, amount=Decimal("0.5"), unit=WD)
    calendar = national.explain_due(start=start, amount=1, unit="calendar_days")
    assert working.due == vn("2026-08-22 12:00")
    assert [item.kind for item in working.items] == ["outside_hours", "make_up_day"]
    assert calendar.due == vn("2026-08-24 17:00")  # Sun 23/8 08:00 rolled to the end of Monday
    assert [(item.kind, item.reason) for item in calendar.items] == [
        ("outside_hours", "Tiếp nhận ngoài giờ làm việc; thời hạn bắt đầu tính từ 08:00 Thứ Bảy, 22/08/2026"),
        ("weekend", "Chủ Nhật"),
    ]


# ---- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "unit", "message"),
    [
        (Decimal(-1), WD, "không được âm"),
        (Decimal("NaN"), WD, "số hữu hạn"),
        (Decimal("Infinity"), WH, "số hữu hạn"),
        (Decimal(3651), WD, "tối đa 3650 ngày làm việc"),
        (Decimal(29201), WH, "tối đa 29200 giờ làm việc"),
        (Decimal(3651), TimeUnit.CALENDAR_DAYS, "tối đa 3650"),
        (Decimal(87601), TimeUnit.HOURS, "tối đa 87600"),
        (Decimal("1.5"), TimeUnit.CALENDAR_DAYS, "số nguyên"),
        (Decimal(2), TimeUnit.SAME_DAY, "same_day"),
        (None, WD, "Thiếu thời hạn"),
        ("abc", WD, "phải là một số"),
        (True, WD, "phải là một số"),
    ],
)
def test_bad_amounts(national, amount, unit, message):
    with pytest.raises(WorkTimeError, match=message) as caught:
        national.add_working_time(start=vn("2026-04-13 10:00"), amount=amount, unit=unit)
    assert caught.value.param == "amount"


def test_bad_unit_and_start(national):
    with pytest.raises(WorkTimeError, match="Đơn vị thời gian không hợp lệ: “weeks”"):
        national.add_working_time(start=vn("2026-04-13 10:00"), amount=1, unit="weeks")
    with pytest.raises(WorkTimeError, match="phải có múi giờ"):
        national.add_working_time(start=datetime(2026, 4, 13, 10), amount=1, unit=WD)
    with pytest.raises(WorkTimeError, match="phạm vi lịch"):
        national.add_working_time(start=vn("1990-04-13 10:00"), amount=1, unit=WD)
    with pytest.raises(WorkTimeError, match="phạm vi lịch"):
        national.add_working_time(start=vn("2100-12-01 10:00"), amount=3000, unit=WD)
    with pytest.raises(WorkTimeError, match="phải có múi giờ"):
        national.working_time_between(start=vn("2026-04-13 10:00"), end=datetime(2026, 4, 14))


def test_largest_budget_is_fast_enough_and_exact(national):
    due = national.add_working_time(start=vn("2026-04-13 10:00"), amount=3650, unit=WD)
    assert national.working_time_between(start=vn("2026-04-13 10:00"), end=due) == timedelta(hours=3650 * 8)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"PERIODS": [("08:00", "12:00"), ("11:00", "17:00")]}, "disjoint"),
        ({"PERIODS": [("8h", "12:00")]}, "HH:MM"),
        ({"PERIODS": []}, "at least one"),
        ({"HOURS_PER_DAY": 7}, "add up"),
        ({"WEEKDAYS": [0, 1]}, "ISO weekdays"),
        ({"TIME_ZONE": "Asia/Nowhere"}, "TIME_ZONE"),
    ],
)
def test_schedule_validation(config, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        WorkSchedule.from_settings(config)


def test_formatting():
    assert format_amount(Decimal("1.50")) == "1,5"
    assert format_amount(Decimal("30")) == "30"
    assert format_instant(vn("2026-04-16 10:00")) == "10:00 Thứ Năm, 16/04/2026"
    assert format_instant(vn("2026-04-16 10:00:30")) == "10:00:30 Thứ Năm, 16/04/2026"
