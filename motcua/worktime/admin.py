"""Admin for the province's extra days off / extra working days — ngày nghỉ, ngày làm việc bổ sung.

Django's permission checks decide who edits: the province admin's role grants them, a unit admin's
only the view permission (``org.backends``, docs/domain.md §1.5). The calendar is province-wide.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.worktime.calendar import WEEKDAY_NAMES, DayKind, WorkCalendar, WorkSchedule
from motcua.worktime.models import CalendarException
from motcua.worktime.selectors import get_schedule


@lru_cache(maxsize=1)
def _national_calendar(schedule: WorkSchedule) -> WorkCalendar:
    return WorkCalendar(schedule)


class YearFilter(admin.SimpleListFilter):
    title = "năm"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarException.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "national_status", "updated_at")
    list_filter = ("kind", YearFilter)
    search_fields = ("name", "note")
    date_hierarchy = "date"
    ordering = ("-date",)
    readonly_fields = ("created_at", "updated_at")
    fields = ("date", "kind", "name", "note", "created_at", "updated_at")

    @admin.display(description="thứ", ordering="date")
    def weekday(self, obj: CalendarException) -> str:
        return WEEKDAY_NAMES[obj.date.weekday()]

    @admin.display(description="theo lịch quốc gia")
    def national_status(self, obj: CalendarException) -> str:
        # What the date would be without this row, so an admin sees redundant or surprising entries.
        try:
            info = _national_calendar(get_schedule()).day_info(obj.date)
        except ValueError:
            return "—"
        if info.kind is DayKind.WORKING:
            return "Ngày làm việc"
        return f"{'Ngày làm việc' if info.working else 'Ngày nghỉ'}: {info.reason}"
