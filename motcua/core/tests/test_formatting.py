"""Display formats in the active language: one Vietnamese plural form, English two; English numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from motcua.core.formatting import format_duration, format_number, format_number_display, format_vnd


@pytest.mark.parametrize(
    ("amount", "unit", "vietnamese", "english"),
    [
        (1, "working_days", "1 ngày làm việc", "1 working day"),
        (Decimal("1.00"), "working_days", "1 ngày làm việc", "1 working day"),
        (3, "working_days", "3 ngày làm việc", "3 working days"),
        (Decimal("0.5"), "working_days", "0,5 ngày làm việc", "0.5 working days"),
        (Decimal("1.5"), "working_days", "1,5 ngày làm việc", "1.5 working days"),
        (1, "working_hours", "1 giờ làm việc", "1 working hour"),
        (4, "working_hours", "4 giờ làm việc", "4 working hours"),
        (1, "calendar_days", "1 ngày", "1 day"),
        (15, "calendar_days", "15 ngày", "15 days"),
        (1, "", "1 ngày", "1 day"),  # "N ngày" in the source: calendar days
        (1, "hours", "1 giờ", "1 hour"),
        (48, "hours", "48 giờ", "48 hours"),
        (None, "same_day", "Trong ngày", "Same day"),
        (None, "not_counted", "Không tính thời gian", "Not counted"),
        (None, "working_days", "", ""),
    ],
)
def test_format_duration(amount, unit, vietnamese, english):
    with translation.override("vi"):
        assert format_duration(amount, unit) == vietnamese
    with translation.override("en"):
        assert format_duration(amount, unit) == english


@pytest.mark.parametrize(
    ("amount", "vietnamese", "english"),
    [
        (50_000, "50.000 đồng", "50,000 VND"),
        (1_234_567, "1.234.567 đồng", "1,234,567 VND"),
        (0, "Miễn phí", "Free of charge"),
        (None, "Chưa công bố", "Not published"),
    ],
)
def test_format_vnd(amount, vietnamese, english):
    with translation.override("vi"):
        assert format_vnd(amount) == vietnamese
    with translation.override("en"):
        assert format_vnd(amount) == english


def test_display_numbers_follow_the_language_and_form_numbers_never_do():
    with translation.override("en"):
        assert format_number_display(Decimal("1234567.5")) == "1,234,567.5"
        assert format_number(Decimal("1234567.5")) == "1.234.567,5"  # what the statutory forms print
    with translation.override("vi"):
        assert format_number_display(Decimal("1234567.5")) == "1.234.567,5"
