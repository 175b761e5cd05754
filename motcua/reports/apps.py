from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Statistics and the Decision 766 index — báo cáo thống kê, Bộ chỉ số phục vụ người dân, doanh nghiệp."""

    name = "motcua.reports"
    label = "reports"
    verbose_name = "Báo cáo, thống kê"
