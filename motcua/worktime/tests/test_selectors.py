"""The shared calendar: province exceptions, cache freshness across processes, query counts."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings

from motcua.core.selectors import ReferenceDataFollower
from motcua.core.services import reference_data_changed
from motcua.worktime import selectors
from motcua.worktime.calendar import DayKind, WorkTimeError
from motcua.worktime.models import CalendarException, ExceptionKind, TimeUnit
from motcua.worktime.services import save_calendar_exception
from motcua.worktime.tests.helpers import vn

WD = TimeUnit.WORKING_DAYS


def due_3_days() -> object:
    return selectors.add_working_time(start=vn("2026-04-13 10:00"), amount=Decimal(3), unit=WD)


@pytest.mark.django_db
def test_extra_day_off_and_extra_working_day_change_the_result():
    assert due_3_days() == vn("2026-04-16 10:00")
    CalendarException.objects.create(
        date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ theo Quyết định của UBND tỉnh"
    )
    assert due_3_days() == vn("2026-04-17 10:00")
    CalendarException.objects.create(
        date=date(2026, 4, 18), kind=ExceptionKind.EXTRA_WORKING_DAY, name="Làm việc bù"
    )
    assert selectors.add_working_time(start=vn("2026-04-16 10:00"), amount=2, unit=WD) == vn(
        "2026-04-18 10:00"
    )
    info = selectors.day_info(date(2026, 4, 15))
    assert (info.kind, info.reason) == (DayKind.EXTRA_DAY_OFF, "Nghỉ theo Quyết định của UBND tỉnh")
    explanation = selectors.explain_due(start=vn("2026-04-13 10:00"), amount=3, unit=WD)
    assert [item.reason for item in explanation.items] == ["Nghỉ theo Quyết định của UBND tỉnh"]
    assert not selectors.is_working_day(date(2026, 4, 15))


@pytest.mark.django_db
def test_public_functions_delegate_to_the_calendar():
    start = vn("2026-04-17 16:00")
    assert selectors.working_time_between(start=start, end=vn("2026-04-20 16:00")) == timedelta(hours=8)
    assert selectors.add_working_duration(start=start, duration=timedelta(hours=8)) == vn("2026-04-20 16:00")
    assert selectors.next_working_instant(vn("2026-04-18 09:00")) == vn("2026-04-20 08:00")
    assert not selectors.is_working_time(vn("2026-04-13 12:30"))
    assert [d.day for d in selectors.special_days(first=date(2026, 4, 18), last=date(2026, 4, 19))] == [
        date(2026, 4, 18),
        date(2026, 4, 19),
    ]
    with pytest.raises(WorkTimeError):
        selectors.add_working_time(start=start, amount=-1, unit=WD)


def poll_every_call(settings) -> None:
    settings.WORKTIME = {**settings.WORKTIME, "EXCEPTIONS_POLL_SECONDS": 0}


def in_another_process() -> Any:
    """Due time computed by a reader that shares nothing with this one but the database: its own
    thread (own connection, own transaction) and its own calendar, built on first use."""
    result: list[object] = []

    def read() -> None:
        try:
            other = ReferenceDataFollower(build=selectors._calendar_build, check_seconds=lambda: 3600)
            result.append(other.get().add_working_time(start=vn("2026-04-13 10:00"), amount=3, unit=WD))
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return result[0]


@pytest.mark.django_db
def test_warm_calendar_needs_no_query(django_assert_num_queries):
    with django_assert_num_queries(2):  # cold: the stamp, then the exception table
        selectors.get_calendar()
    with django_assert_num_queries(0):  # within the poll interval
        for _ in range(5):
            due_3_days()


@pytest.mark.django_db
def test_an_unchanged_stamp_keeps_the_calendar(settings, django_assert_num_queries):
    poll_every_call(settings)
    warm = selectors.get_calendar()
    with django_assert_num_queries(1):  # the stamp only: no rebuild
        assert selectors.get_calendar() is warm


@pytest.mark.django_db
def test_uncommitted_exception_is_visible_to_its_transaction_only(django_assert_num_queries):
    warm = selectors.get_calendar()
    CalendarException.objects.create(date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ")
    # Inside the (test) transaction that wrote it, the row counts, built once for the transaction …
    assert due_3_days() == vn("2026-04-17 10:00")
    with django_assert_num_queries(0):
        assert due_3_days() == vn("2026-04-17 10:00")
    # … while the process calendar is untouched until commit.
    assert selectors._calendar._built is not None
    assert selectors._calendar._built.value is warm


@pytest.mark.django_db(transaction=True)
def test_a_committed_edit_is_seen_by_this_process_and_another(django_assert_num_queries):
    assert due_3_days() == vn("2026-04-16 10:00")
    assert in_another_process() == vn("2026-04-16 10:00")
    CalendarException.objects.create(date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ")
    # The commit made this process re-read the stamp at once, though the poll interval has not passed.
    with django_assert_num_queries(2):  # the stamp, the exception table
        assert due_3_days() == vn("2026-04-17 10:00")
    assert in_another_process() == vn("2026-04-17 10:00")
    save_calendar_exception(day=date(2026, 4, 15), kind=ExceptionKind.EXTRA_WORKING_DAY, name="Đổi lại")
    assert due_3_days() == vn("2026-04-16 10:00")
    assert in_another_process() == vn("2026-04-16 10:00")


class Rollback(Exception):
    pass


def add_exception_then_roll_back() -> None:
    with transaction.atomic():
        CalendarException.objects.create(
            date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ"
        )
        assert due_3_days() == vn("2026-04-17 10:00")
        raise Rollback


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_edit_is_seen_by_no_one(settings):
    poll_every_call(settings)
    assert due_3_days() == vn("2026-04-16 10:00")
    with pytest.raises(Rollback):
        add_exception_then_roll_back()
    assert due_3_days() == vn("2026-04-16 10:00")
    assert in_another_process() == vn("2026-04-16 10:00")


@pytest.mark.django_db
def test_a_rolled_back_savepoint_takes_its_edit_along():
    assert due_3_days() == vn("2026-04-16 10:00")
    with pytest.raises(Rollback):
        add_exception_then_roll_back()  # a savepoint inside the test's transaction
    assert due_3_days() == vn("2026-04-16 10:00")


@pytest.mark.django_db(transaction=True)
def test_bulk_writes_are_seen_once_they_restamp():
    CalendarException.objects.create(date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ")
    assert due_3_days() == vn("2026-04-17 10:00")
    CalendarException.objects.filter(date=date(2026, 4, 15)).update(kind=ExceptionKind.EXTRA_WORKING_DAY)
    assert due_3_days() == vn("2026-04-17 10:00")  # QuerySet.update sends no signal …
    reference_data_changed()  # … so bulk writers restamp themselves
    assert due_3_days() == vn("2026-04-16 10:00")


@pytest.mark.django_db
def test_settings_change_resets_the_calendar():
    assert selectors.add_working_time(start=vn("2026-04-13 10:00"), amount=6, unit="calendar_days") == vn(
        "2026-04-20 17:00"
    )
    with override_settings(WORKTIME={"CALENDAR_DAYS_ROLL_TO_WORKING_DAY": False}):
        assert selectors.add_working_time(start=vn("2026-04-13 10:00"), amount=6, unit="calendar_days") == vn(
            "2026-04-19 10:00"
        )
    assert selectors.get_schedule().roll_calendar_days
