"""The shared calendar: province exceptions, cache freshness across processes, query counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from motcua.worktime import selectors
from motcua.worktime.calendar import DayKind, WorkTimeError
from motcua.worktime.models import CalendarException, ExceptionKind, TimeUnit
from motcua.worktime.tests.helpers import vn

WD = TimeUnit.WORKING_DAYS


def due_3_days() -> object:
    return selectors.add_working_time(start=vn("2026-04-13 10:00"), amount=Decimal(3), unit=WD)


def poll_interval_elapses() -> None:
    """Make the next call read the shared digest, as it does once per EXCEPTIONS_POLL_SECONDS."""
    assert selectors._state is not None
    selectors._state.fresh_until = 0.0


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


@pytest.mark.django_db
def test_warm_calendar_needs_no_query(django_assert_num_queries):
    with django_assert_num_queries(1):  # cold: load the exception table once
        selectors.get_calendar()
    with django_assert_num_queries(0):
        for _ in range(5):
            due_3_days()
        poll_interval_elapses()
        due_3_days()  # reads the shared digest: a cache read, still no query


@pytest.mark.django_db
def test_uncommitted_exception_is_visible_to_its_transaction_only(django_assert_num_queries):
    warm = selectors.get_calendar()
    CalendarException.objects.create(date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ")
    # Inside the (test) transaction that wrote it, the row counts …
    assert due_3_days() == vn("2026-04-17 10:00")
    # … but the shared calendar and digest are untouched until commit.
    assert selectors._state is not None
    assert selectors._state.calendar is warm
    assert cache.get(selectors.CACHE_KEY) == selectors._state.digest


@pytest.mark.django_db(transaction=True)
def test_committed_change_is_published(django_assert_num_queries):
    assert due_3_days() == vn("2026-04-16 10:00")
    CalendarException.objects.create(date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ")
    # on_commit rebuilt this process's calendar and published the digest: still no query per call.
    with django_assert_num_queries(0):
        assert due_3_days() == vn("2026-04-17 10:00")


@pytest.mark.django_db(transaction=True)
def test_other_process_picks_up_a_change_through_the_cache(django_assert_num_queries):
    assert due_3_days() == vn("2026-04-16 10:00")
    stale = selectors._state  # what another worker process still holds
    CalendarException.objects.create(date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ")
    selectors._state = stale
    with django_assert_num_queries(0):  # within the poll interval the process trusts its calendar
        assert due_3_days() == vn("2026-04-16 10:00")
    poll_interval_elapses()
    with django_assert_num_queries(1):  # digest mismatch → reload once
        assert due_3_days() == vn("2026-04-17 10:00")
    with django_assert_num_queries(0):
        assert due_3_days() == vn("2026-04-17 10:00")


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
def test_rolled_back_change_does_not_leak():
    assert due_3_days() == vn("2026-04-16 10:00")
    digest = cache.get(selectors.CACHE_KEY)
    with pytest.raises(Rollback):
        add_exception_then_roll_back()
    assert due_3_days() == vn("2026-04-16 10:00")
    assert cache.get(selectors.CACHE_KEY) == digest


@pytest.mark.django_db(transaction=True)
def test_writes_bypassing_signals_are_seen_when_the_digest_expires():
    CalendarException.objects.create(date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ")
    assert due_3_days() == vn("2026-04-17 10:00")
    CalendarException.objects.filter(date=date(2026, 4, 15)).update(kind=ExceptionKind.EXTRA_WORKING_DAY)
    assert due_3_days() == vn("2026-04-17 10:00")  # QuerySet.update sends no signal …
    cache.delete(selectors.CACHE_KEY)  # … until the digest expires (EXCEPTIONS_RECHECK_SECONDS)
    poll_interval_elapses()
    assert due_3_days() == vn("2026-04-16 10:00")


@pytest.mark.django_db(transaction=True)
def test_a_wrong_cached_digest_is_replaced():
    assert due_3_days() == vn("2026-04-16 10:00")
    cache.set(selectors.CACHE_KEY, "garbage")
    poll_interval_elapses()
    assert due_3_days() == vn("2026-04-16 10:00")
    assert cache.get(selectors.CACHE_KEY) == selectors._state.digest


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
