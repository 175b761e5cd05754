from __future__ import annotations

from django.apps import AppConfig


class WorktimeConfig(AppConfig):
    """Working-time calendar and deadlines — lịch làm việc, tính hạn xử lý (DESIGN §6)."""

    name = "motcua.worktime"
    label = "worktime"
    verbose_name = "Lịch làm việc"

    def ready(self) -> None:
        from motcua.worktime import signals  # noqa: F401  (connects the receivers)
