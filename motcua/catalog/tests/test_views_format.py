"""Vietnamese display formats of the catalogue pages (``motcua.core.formatting`` and its template tags)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from motcua.core.formatting import format_duration, format_number, format_vnd


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (50_000, "50.000"),
        (1_234_567, "1.234.567"),
        (Decimal("0.50"), "0,5"),
        (Decimal("1.00"), "1"),
        (Decimal("12.25"), "12,25"),
        (-1500, "-1.500"),
        (None, ""),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(50_000, "50.000 đồng"), (1_000_000, "1.000.000 đồng"), (0, "Miễn phí"), (None, "Chưa công bố")],
)
def test_format_vnd(amount, expected):
    assert format_vnd(amount) == expected


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (Decimal("5"), "working_days", "5 ngày làm việc"),
        (Decimal("0.5"), "working_days", "0,5 ngày làm việc"),
        (Decimal("4"), "working_hours", "4 giờ làm việc"),
        (Decimal("15"), "calendar_days", "15 ngày"),
        (Decimal("12"), "hours", "12 giờ"),
        (None, "same_day", "Trong ngày"),
        (None, "not_counted", "Không tính thời gian"),
        (Decimal("1"), "", "1 ngày"),
        (None, "", ""),
    ],
)
def test_format_duration(amount, unit, expected):
    assert format_duration(amount, unit) == expected


def test_template_filters():
    html = Template(
        "{% load vn_format %}{{ a|vnd }}|{{ b|vnd }}|{{ c|vn_number }}|{% duration d u %}"
    ).render(Context({"a": 50_000, "b": None, "c": 2403, "d": Decimal("3"), "u": "working_days"}))
    assert html == "50.000 đồng|Chưa công bố|2.403|3 ngày làm việc"
