"""The dossier code — mã hồ sơ: ``<agency code>-<YYMMDD>-<NNNN>`` (docs/domain.md §5.1).

The receiving agency's electronic identification code, the local date of receipt and that agency's
sequence number of the day, at least four digits (``000.22.07.H49-251122-0007``; the 10,000th dossier
of a day gets five). One formatter for the engine's receipt and the simulator, so their codes cannot
drift apart; the counter that yields the number is the caller's (a locked row in the receipt
transaction, see ``services``).
"""

from __future__ import annotations

from datetime import date


def dossier_code_format(*, agency_code: str, day: date, number: int) -> str:
    """``dossier_code_format(agency_code="000.22.07.H49", day=date(2025, 11, 22), number=7)``
    → ``"000.22.07.H49-251122-0007"``."""
    if number < 1:
        raise ValueError(f"Số thứ tự hồ sơ trong ngày phải từ 1 trở lên (nhận được {number}).")
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"
