"""Writes of province exceptions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from motcua.worktime import selectors
from motcua.worktime.models import CalendarException, ExceptionKind
from motcua.worktime.services import delete_calendar_exception, save_calendar_exception
from motcua.worktime.tests.helpers import vn


@pytest.mark.django_db
def test_save_creates_then_replaces(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = save_calendar_exception(
            day=date(2026, 4, 15), kind="extra_day_off", name="  Nghỉ theo Quyết định 5/QĐ-UBND  "
        )
    assert len(callbacks) == 1  # one restamp per saved row
    assert created.name == "Nghỉ theo Quyết định 5/QĐ-UBND"
    assert not selectors.is_working_day(date(2026, 4, 15))

    with django_capture_on_commit_callbacks(execute=True):
        replaced = save_calendar_exception(
            day=date(2026, 4, 15), kind=ExceptionKind.EXTRA_WORKING_DAY, name="Đổi lại", note="Sửa nhầm"
        )
    assert replaced.pk == created.pk
    assert CalendarException.objects.count() == 1
    assert selectors.is_working_day(date(2026, 4, 15))


@pytest.mark.django_db
def test_save_validates():
    with pytest.raises(ValidationError) as caught:
        save_calendar_exception(day=date(2026, 4, 15), kind="extra_day_off", name="   ")
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        save_calendar_exception(day=date(2026, 4, 15), kind="holiday", name="x")
    assert "kind" in caught.value.message_dict
    assert not CalendarException.objects.exists()


@pytest.mark.django_db
def test_delete(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        save_calendar_exception(day=date(2026, 4, 15), kind="extra_day_off", name="Nghỉ")
    assert selectors.add_working_time(start=vn("2026-04-13 10:00"), amount=3, unit="working_days") == vn(
        "2026-04-17 10:00"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_calendar_exception(day=date(2026, 4, 15))
    assert not delete_calendar_exception(day=date(2026, 4, 15))
    assert selectors.add_working_time(start=vn("2026-04-13 10:00"), amount=3, unit="working_days") == vn(
        "2026-04-16 10:00"
    )
