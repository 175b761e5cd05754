"""Calendar API — lịch làm việc: due-date calculator and non-working days (mounted at /api/v1/calendar).

Parameters are taken as strings and checked here so every bad value gets a specific Vietnamese message
(Ninja's generic validation message only names the parameter). The fast path makes no database
query and at most one cache read per second decides whether the process's calendar is current (see
``selectors``).

The views return a ready ``HttpResponse``: Ninja then skips re-validating the payload against the
response schema, which cost more than the whole deadline computation (the due-date API has a
throughput target of 0.8× a bare Django view). The schemas still document the responses in OpenAPI,
and the payloads are built from typed dataclasses, so the schemas and the payloads cannot drift apart
silently: tests/test_api.py validates a response against ``DueOut``.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from motcua.core.api_errors import ErrorOut, error_body
from motcua.core.api_time import API_DATETIME_DESCRIPTION
from motcua.worktime.calendar import WEEKDAY_NAMES, WorkTimeError, parse_unit
from motcua.worktime.models import TimeUnit
from motcua.worktime.selectors import get_calendar

router = Router(tags=["Lịch làm việc"])

#: Longest range the day listing accepts, in days (two years).
MAX_LIST_DAYS = 732

# "+07:00" arrives as " 07:00" when a client forgets to percent-encode "+" in a query string.
_UNENCODED_PLUS = re.compile(
    r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?) (\d{2}(?::?\d{2})?)$"
)


class ExplanationItemOut(Schema):
    from_: str = Field(alias="from", description=f"Đầu khoảng. {API_DATETIME_DESCRIPTION}")
    to: str = Field(description=f"Cuối khoảng. {API_DATETIME_DESCRIPTION}")
    kind: str = Field(
        description="outside_hours | weekend | holiday | extra_day_off | make_up_day | extra_working_day"
    )
    reason: str
    counted: bool = Field(description="True: ngày được tính (làm bù, làm việc bổ sung); False: không tính")


class DueOut(Schema):
    due: str = Field(description=f"Hạn xử lý. {API_DATETIME_DESCRIPTION}")
    counting_start: str = Field(description=f"Thời điểm bắt đầu tính thời hạn. {API_DATETIME_DESCRIPTION}")
    explanation: list[ExplanationItemOut]
    summary: str


class DayOut(Schema):
    date: date
    weekday: str
    working: bool
    kind: str
    reason: str


class DaysOut(Schema):
    days: list[DayOut]


def _parse_instant(value: str | None) -> datetime:
    if value is None or not value.strip():
        raise WorkTimeError(
            "Thiếu thời điểm bắt đầu (start), ví dụ start=2026-04-13T10:00:00%2B07:00.", param="start"
        )
    text = value.strip()
    if match := _UNENCODED_PLUS.match(text):
        text = f"{match.group(1)}+{match.group(2)}"
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise WorkTimeError(
            f"Thời điểm bắt đầu (start) không đúng định dạng ISO 8601: “{value}”. "
            "Ví dụ: 2026-04-13T10:00:00+07:00.",
            param="start",
        ) from None
    if instant.tzinfo is None:
        raise WorkTimeError(
            "Thời điểm bắt đầu (start) phải ghi rõ múi giờ, ví dụ 2026-04-13T10:00:00+07:00.", param="start"
        )
    return instant


def _parse_date(value: str | None, *, param: str) -> date:
    if value is None or not value.strip():
        raise WorkTimeError(f"Thiếu ngày ({param}), định dạng YYYY-MM-DD.", param=param)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise WorkTimeError(
            f"Ngày ({param}) không đúng định dạng YYYY-MM-DD: “{value}”.", param=param
        ) from None


def _query_parameter(name: str, description: str, example: str, *, required: bool) -> dict[str, object]:
    return {
        "in": "query",
        "name": name,
        "required": required,
        "description": description,
        "schema": {"type": "string"},
        "example": example,
    }


@router.get(
    "/due",
    response={200: DueOut, 400: ErrorOut},
    by_alias=True,
    summary="Tính hạn xử lý",
    description="Hạn xử lý (due instant) of a time budget counted from ``start`` under the working "
    "calendar, with the skipped days and a Vietnamese summary. ``amount`` must be > 0 except for "
    "``same_day``, where it may be omitted.",
    # The view reads request.GET itself (see ``due``), so the parameters are declared here for OpenAPI.
    openapi_extra={
        "parameters": [
            _query_parameter(
                "start",
                "Thời điểm tiếp nhận, ISO 8601 có múi giờ",
                "2026-04-13T10:00:00+07:00",
                required=True,
            ),
            _query_parameter(
                "amount", "Thời hạn (số, ví dụ 3 hoặc 1.5); bỏ trống với same_day", "3", required=False
            ),
            _query_parameter(
                "unit",
                "working_days | working_hours | calendar_days | hours | same_day",
                "working_days",
                required=True,
            ),
        ]
    },
)
def due(request: HttpRequest) -> HttpResponse:
    # Parameters come straight from request.GET rather than Ninja's parameter model: they are three
    # strings validated below with specific messages anyway, and Ninja's model costs more per request
    # than the deadline computation.
    query = request.GET
    amount = query.get("amount")
    try:
        instant = _parse_instant(query.get("start"))
        time_unit = parse_unit(query.get("unit"))
        if time_unit != TimeUnit.SAME_DAY and amount is not None and _is_zero(amount):
            # The engine accepts 0 (start rolled to working time) for internal use; a statutory time
            # limit of zero is a data error.
            raise WorkTimeError("Thời hạn (amount) phải lớn hơn 0.", param="amount")
        explanation = get_calendar().explain_due(start=instant, amount=amount, unit=time_unit)
    except WorkTimeError as exc:
        return _json(_error(exc), status=400)
    return _json(explanation.as_dict())


def _error(exc: WorkTimeError) -> dict[str, object]:
    return error_body(400, exc.message, errors={exc.param: exc.message} if exc.param else None)


def _json(payload: object, *, status: int = 200) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    # An explicit charset spares HttpResponse re-parsing the content type on every access (hot path).
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8", charset="utf-8")


def _is_zero(amount: str) -> bool:
    try:
        return float(amount) == 0
    except ValueError:
        return False  # the engine reports the unparsable value


@router.get(
    "/days",
    response={200: DaysOut, 400: ErrorOut},
    summary="Ngày nghỉ và ngày làm bù",
    description="Non-working days (weekends, holidays, province days off) and make-up / extra working "
    "days between ``from`` and ``to`` inclusive (at most 732 days).",
)
def days(
    request: HttpRequest,
    date_from: str | None = Query(None, alias="from", description="Ngày đầu, YYYY-MM-DD (bắt buộc)"),
    date_to: str | None = Query(None, alias="to", description="Ngày cuối, YYYY-MM-DD (bắt buộc)"),
) -> HttpResponse:
    try:
        first = _parse_date(date_from, param="from")
        last = _parse_date(date_to, param="to")
        if last < first:
            raise WorkTimeError("Ngày kết thúc (to) phải không sớm hơn ngày bắt đầu (from).", param="to")
        if last - first >= timedelta(days=MAX_LIST_DAYS):
            raise WorkTimeError(f"Khoảng ngày quá dài: tối đa {MAX_LIST_DAYS} ngày.", param="to")
        listed = get_calendar().special_days(first, last)
    except WorkTimeError as exc:
        return _json(_error(exc), status=400)
    return _json(
        {
            "days": [
                {
                    "date": info.day.isoformat(),
                    "weekday": WEEKDAY_NAMES[info.day.weekday()],
                    "working": info.working,
                    "kind": str(info.kind),
                    "reason": info.reason,
                }
                for info in listed
            ]
        },
    )
