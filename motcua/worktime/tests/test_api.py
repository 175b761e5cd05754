"""GET /api/v1/calendar/due and /days."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.worktime.api import DaysOut, DueOut
from motcua.worktime.models import CalendarException, ExceptionKind

DUE = "/api/v1/calendar/due"
DAYS = "/api/v1/calendar/days"

pytestmark = pytest.mark.django_db


def test_due(client):
    response = client.get(DUE, {"start": "2026-02-13T10:00:00+07:00", "amount": "1", "unit": "working_days"})
    assert response.status_code == 200
    body = response.json()
    assert body["due"] == "2026-02-23T10:00:00+07:00"
    assert body["counting_start"] == "2026-02-13T10:00:00+07:00"
    assert body["explanation"][0] == {
        "from": "2026-02-14T00:00:00+07:00",
        "to": "2026-02-15T00:00:00+07:00",
        "kind": "weekend",
        "reason": "Thứ Bảy",
        "counted": False,
    }
    assert "Tết Nguyên Đán" in [item["reason"] for item in body["explanation"]]
    assert body["summary"].startswith("Hạn xử lý: 10:00 Thứ Hai, 23/02/2026")
    # The view serialises by hand (speed); the documented schema must still describe the payload.
    assert DueOut.model_validate(body).model_dump(by_alias=True) == body


@pytest.mark.parametrize(
    ("params", "due"),
    [
        # UTC input, +07:00 output.
        (
            {"start": "2026-04-13T03:00:00Z", "amount": "3", "unit": "working_days"},
            "2026-04-16T10:00:00+07:00",
        ),
        (
            {"start": "2026-04-13T08:00:00+07:00", "amount": "0.5", "unit": "working_days"},
            "2026-04-13T12:00:00+07:00",
        ),
        (
            {"start": "2026-04-13T11:00:00+07:00", "amount": "2", "unit": "working_hours"},
            "2026-04-13T14:00:00+07:00",
        ),
        (
            {"start": "2026-04-13T10:00:00+07:00", "amount": "6", "unit": "calendar_days"},
            "2026-04-20T17:00:00+07:00",
        ),
        (
            {"start": "2026-04-18T10:00:00+07:00", "amount": "24", "unit": "hours"},
            "2026-04-19T10:00:00+07:00",
        ),
        ({"start": "2026-04-13T18:00:00+07:00", "unit": "same_day"}, "2026-04-14T17:00:00+07:00"),
        # "+" not percent-encoded arrives as a space.
        (
            {"start": "2026-04-13T10:00:00 07:00", "amount": "3", "unit": "working_days"},
            "2026-04-16T10:00:00+07:00",
        ),
    ],
)
def test_due_units(client, params, due):
    response = client.get(DUE, params)
    assert response.status_code == 200, response.content
    assert response.json()["due"] == due


def test_province_exception_shows_in_the_explanation(client):
    CalendarException.objects.create(
        date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ theo Quyết định 5/QĐ-UBND"
    )
    body = client.get(
        DUE, {"start": "2026-04-13T10:00:00+07:00", "amount": "3", "unit": "working_days"}
    ).json()
    assert body["due"] == "2026-04-17T10:00:00+07:00"
    assert body["explanation"] == [
        {
            "from": "2026-04-15T00:00:00+07:00",
            "to": "2026-04-16T00:00:00+07:00",
            "kind": "extra_day_off",
            "reason": "Nghỉ theo Quyết định 5/QĐ-UBND",
            "counted": False,
        }
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"amount": "1", "unit": "working_days"}, "Thiếu thời điểm bắt đầu (start)"),
        ({"start": "2026-04-13T10:00:00", "amount": "1", "unit": "working_days"}, "phải ghi rõ múi giờ"),
        (
            {"start": "13/04/2026 10:00", "amount": "1", "unit": "working_days"},
            "không đúng định dạng ISO 8601",
        ),
        ({"start": "2026-02-30T10:00:00+07:00", "amount": "1", "unit": "working_days"}, "ISO 8601"),
        ({"start": "1900-04-13T10:00:00+07:00", "amount": "1", "unit": "working_days"}, "phạm vi lịch"),
        ({"start": "0001-01-01T00:00:00+07:00", "amount": "1", "unit": "working_days"}, "phạm vi"),
        ({"start": "2026-04-13T10:00:00+25:00", "amount": "1", "unit": "working_days"}, "ISO 8601"),
        ({"start": "2100-12-30T10:00:00+07:00", "amount": "3650", "unit": "working_days"}, "phạm vi lịch"),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "1", "unit": "WORKING_DAYS"}, "không hợp lệ"),
        (
            {"start": "2026-04-13T10:00:00+07:00", "amount": "1", "unit": "weeks"},
            "Đơn vị thời gian không hợp lệ",
        ),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "1"}, "Thiếu đơn vị thời gian"),
        ({"start": "2026-04-13T10:00:00+07:00", "unit": "working_days"}, "Thiếu thời hạn"),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "-1", "unit": "working_days"}, "không được âm"),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "0", "unit": "working_days"}, "phải lớn hơn 0"),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "0.0", "unit": "hours"}, "phải lớn hơn 0"),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "NaN", "unit": "working_days"}, "số hữu hạn"),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "inf", "unit": "working_days"}, "số hữu hạn"),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "abc", "unit": "working_days"}, "phải là một số"),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "1e9", "unit": "working_days"}, "quá lớn"),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "3651", "unit": "working_days"}, "tối đa 3650"),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "1.5", "unit": "calendar_days"}, "số nguyên"),
        ({"start": "2026-04-13T10:00:00+07:00", "amount": "2", "unit": "same_day"}, "same_day"),
    ],
)
def test_due_bad_parameters(client, params, message):
    before = CalendarException.objects.count()
    response = client.get(DUE, params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "errors", "current_version"}
    assert body["code"] == "invalid"
    assert message in body["detail"]
    # The engine names the parameter at fault: the message is also given on it.
    assert all(text == body["detail"] for text in body["errors"].values())
    assert CalendarException.objects.count() == before


def test_due_fast_path_makes_no_query(client, django_assert_num_queries):
    params = {"start": "2026-04-13T10:00:00+07:00", "amount": "3", "unit": "working_days"}
    assert client.get(DUE, params).status_code == 200  # warms the process calendar
    with django_assert_num_queries(0):
        for _ in range(3):
            assert client.get(DUE, params).status_code == 200


def test_days(client):
    response = client.get(DAYS, {"from": "2026-08-20", "to": "2026-09-03"})
    assert response.status_code == 200
    days = response.json()["days"]
    assert days[0] == {
        "date": "2026-08-22",
        "weekday": "Thứ Bảy",
        "working": True,
        "kind": "make_up_day",
        "reason": "Ngày làm bù",
    }
    assert [day["date"] for day in days if day["kind"] == "holiday"] == [
        "2026-08-31",
        "2026-09-01",
        "2026-09-02",
    ]
    assert DaysOut.model_validate(response.json()).model_dump(mode="json") == response.json()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"to": "2026-09-03"}, "Thiếu ngày (from)"),
        ({"from": "2026-08-20"}, "Thiếu ngày (to)"),
        ({"from": "20/08/2026", "to": "2026-09-03"}, "không đúng định dạng"),
        ({"from": "2026-09-03", "to": "2026-08-20"}, "không sớm hơn"),
        ({"from": "2026-01-01", "to": "2028-12-31"}, "tối đa 732 ngày"),
        ({"from": "1900-01-01", "to": "1900-01-02"}, "phạm vi lịch"),
    ],
)
def test_days_bad_parameters(client, params, message):
    response = client.get(DAYS, params)
    assert response.status_code == 400
    assert message in response.json()["detail"]
