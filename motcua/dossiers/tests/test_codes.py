"""The dossier code format (``dossiers.codes``), shared by the receipt and the simulator."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.dossiers.codes import dossier_code_format


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (7, "000.22.07.H49-251122-0007"),
        (1, "000.22.07.H49-251122-0001"),
        (9999, "000.22.07.H49-251122-9999"),
        (10000, "000.22.07.H49-251122-10000"),  # at least four digits, never cut
    ],
)
def test_code_is_agency_local_day_and_daily_number(number: int, expected: str) -> None:
    assert dossier_code_format(agency_code="000.22.07.H49", day=date(2025, 11, 22), number=number) == expected


def test_year_two_thousand_and_single_digit_months_are_zero_padded() -> None:
    assert dossier_code_format(agency_code="X", day=date(2030, 1, 5), number=12) == "X-300105-0012"


def test_daily_numbers_start_at_one() -> None:
    with pytest.raises(ValueError, match="từ 1"):
        dossier_code_format(agency_code="X", day=date(2030, 1, 5), number=0)
