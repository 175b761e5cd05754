"""Dossier code — mã hồ sơ: ``<agency code>-<YYMMDD>-<NNNN>`` (docs/domain.md).

The receiving agency's electronic identification code, the local date of receipt and the agency's daily
sequence number of at least four digits, e.g. ``000.22.07.H49-251122-0007``. The engine issues the
numbers (``services.receipt``); the simulator formats its codes with the same function.
"""

from __future__ import annotations

from datetime import date


def dossier_code_format(*, agency_code: str, day: date, number: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"
