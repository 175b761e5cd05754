"""The one format of every instant in the API's answers: ISO 8601 in local time, whole seconds.

``2026-04-13T10:00:00+07:00``: the project's zone (``settings.TIME_ZONE``, set by
``WORKTIME_TIME_ZONE``, Asia/Ho_Chi_Minh) with its offset, no fraction of a second — what Vietnamese
integrators expect, and the same in the officials', public and calendar APIs. Response schemas type
their instants ``ApiDateTime``; bodies built by hand (the hot public and calendar paths) call
``api_datetime``. Inputs still accept any ISO 8601 instant; one without an offset is local time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.utils import timezone
from pydantic import PlainSerializer, WithJsonSchema

API_DATETIME_DESCRIPTION = (
    "Thời điểm theo ISO 8601, giờ Việt Nam với độ lệch +07:00, đến giây (ví dụ 2026-04-13T10:00:00+07:00)."
)


def api_datetime(value: datetime) -> str:
    """``value`` as the API writes instants: local time, its offset, whole seconds (truncated)."""
    zone = timezone.get_default_timezone()
    if timezone.is_naive(value):
        value = timezone.make_aware(value, zone)
    return value.astimezone(zone).replace(microsecond=0).isoformat()


def api_datetime_or_none(value: datetime | None) -> str | None:
    return api_datetime(value) if value is not None else None


# A datetime field of a response schema: serialised by ``api_datetime`` in every mode (Ninja dumps the
# schema in Python mode, then its JSON encoder would write UTC with milliseconds).
ApiDateTime = Annotated[
    datetime,
    PlainSerializer(api_datetime, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": API_DATETIME_DESCRIPTION,
            "example": "2026-04-13T10:00:00+07:00",
        }
    ),
]
