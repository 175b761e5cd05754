from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError

from motcua.worktime.models import CalendarException, ExceptionKind


def test_str():
    exception = CalendarException(date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ bù")
    assert str(exception) == "15/04/2026 — Ngày nghỉ bổ sung: Nghỉ bù"


@pytest.mark.django_db
def test_one_exception_per_date():
    CalendarException.objects.create(date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="A")
    with pytest.raises(IntegrityError):
        CalendarException.objects.create(
            date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_WORKING_DAY, name="B"
        )
