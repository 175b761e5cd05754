from __future__ import annotations

from django.apps import AppConfig


class WorktimeConfig(AppConfig):
    """Working-time calendar and deadlines — lịch làm việc, tính hạn xử lý (docs/domain.md §6)."""

    name = "motcua.worktime"
    label = "worktime"
    verbose_name = "Lịch làm việc"

    def ready(self) -> None:
        from motcua.core.services import reference_data_watch
        from motcua.worktime import signals  # noqa: F401  (connects the receivers)
        from motcua.worktime.models import CalendarException

        # Every process keeps the calendar in memory (selectors.get_calendar) and follows the stamp.
        reference_data_watch(CalendarException)
