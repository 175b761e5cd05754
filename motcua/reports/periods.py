"""Report periods — kỳ báo cáo: a day, a month, a quarter, a year or a custom range of local dates.

Dates are local dates of Asia/Ho_Chi_Minh (``dossiers.deadlines.local_zone``): a dossier received at
23:30 on the 31st counts in that month even though it is already the 1st in UTC.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext as _

from motcua.dossiers.deadlines import local_zone


class PeriodKind(StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class Period:
    """A closed range of local dates [``first``, ``last``] and what kind of period it is.

    Build one with ``Period.day / month / quarter / year / custom``; ``previous()`` is the period of the
    same kind just before (the month before, for month-on-month change).
    """

    kind: PeriodKind
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(_("Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu."))

    @classmethod
    def day(cls, day: date) -> Period:
        return cls(PeriodKind.DAY, day, day)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(
            PeriodKind.MONTH, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError(_("Quý phải từ 1 đến 4."))
        first_month = 3 * (quarter - 1) + 1
        last = Period.month(year, first_month + 2).last
        return cls(PeriodKind.QUARTER, date(year, first_month, 1), last)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def custom(cls, first: date, last: date) -> Period:
        return cls(PeriodKind.CUSTOM, first, last)

    @classmethod
    def containing(cls, kind: PeriodKind, day: date) -> Period:
        """The period of ``kind`` that contains ``day`` (``CUSTOM``: that day alone)."""
        if kind == PeriodKind.MONTH:
            return cls.month(day.year, day.month)
        if kind == PeriodKind.QUARTER:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == PeriodKind.YEAR:
            return cls.year(day.year)
        return cls(kind, day, day)

    def previous(self) -> Period:
        """The period of the same kind just before; a custom range: the same number of days before."""
        if self.kind == PeriodKind.CUSTOM:
            days = (self.last - self.first).days + 1
            return Period.custom(self.first - timedelta(days=days), self.first - timedelta(days=1))
        return Period.containing(self.kind, self.first - timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def start_instant(self) -> datetime:
        """The first instant of the period (local midnight of ``first``), aware."""
        return datetime.combine(self.first, datetime.min.time(), tzinfo=local_zone())

    def end_instant(self) -> datetime:
        """The instant just after the period (local midnight after ``last``), aware."""
        return datetime.combine(self.last + timedelta(days=1), datetime.min.time(), tzinfo=local_zone())

    @property
    def label(self) -> str:
        """Vietnamese label: "Tháng 11/2026", "Quý IV/2026", "Năm 2026", "22/11/2026", "1–15/11"."""
        if self.kind == PeriodKind.MONTH:
            return _("Tháng %(month)02d/%(year)d") % {"month": self.first.month, "year": self.first.year}
        if self.kind == PeriodKind.QUARTER:
            roman = ("I", "II", "III", "IV")[(self.first.month - 1) // 3]
            return _("Quý %(quarter)s/%(year)d") % {"quarter": roman, "year": self.first.year}
        if self.kind == PeriodKind.YEAR:
            return _("Năm %(year)d") % {"year": self.first.year}
        if self.first == self.last:
            return f"{self.first:%d/%m/%Y}"
        return f"{self.first:%d/%m/%Y} – {self.last:%d/%m/%Y}"


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)
