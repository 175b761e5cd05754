from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from motcua.worktime.models import CalendarException, ExceptionKind


@pytest.fixture
def exceptions(db):
    CalendarException.objects.create(
        date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ theo Quyết định 5/QĐ-UBND"
    )
    CalendarException.objects.create(
        date=date(2025, 4, 26), kind=ExceptionKind.EXTRA_WORKING_DAY, name="Làm bù"
    )


def test_changelist_with_filters_and_search(admin_client, exceptions):
    url = reverse("admin:worktime_calendarexception_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nghỉ theo Quyết định 5/QĐ-UBND" in text
    assert "Thứ Tư" in text
    assert "Ngày làm việc: Ngày làm bù" in text  # what the national calendar says about 26/4/2025
    filtered = admin_client.get(url, {"year": "2025", "kind": "extra_working_day"}).content.decode()
    assert "Làm bù" in filtered
    assert "Quyết định 5" not in filtered
    searched = admin_client.get(url, {"q": "Quyết định"}).content.decode()
    assert "Nghỉ theo Quyết định 5/QĐ-UBND" in searched


def test_add_form(admin_client, db):
    url = reverse("admin:worktime_calendarexception_add")
    response = admin_client.post(
        url, {"date": "2026-05-04", "kind": "extra_day_off", "name": "Nghỉ bù theo Quyết định", "note": ""}
    )
    assert response.status_code == 302
    assert CalendarException.objects.get().date == date(2026, 5, 4)
