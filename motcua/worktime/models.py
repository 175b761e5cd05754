"""Province-editable overrides of the national calendar — ngày nghỉ, ngày làm việc bổ sung.

The national calendar (weekends, public holidays, swapped days off, make-up working Saturdays) comes
from the ``holidays`` package; a ``CalendarException`` row wins over it for its date. The province
uses it for local decisions (e.g. a day off announced by the UBND tỉnh) and for years where the
package only estimates the government's announcement.
"""

from __future__ import annotations

from django.db import models


class TimeUnit(models.TextChoices):
    """Unit of a processing time or a step budget — đơn vị thời gian giải quyết.

    It lives with the calendar that gives each unit its meaning; the catalogue stores it on
    procedures, processes and steps.
    """

    WORKING_DAYS = "working_days", "ngày làm việc"
    WORKING_HOURS = "working_hours", "giờ làm việc"
    CALENDAR_DAYS = "calendar_days", "ngày"
    HOURS = "hours", "giờ (liên tục)"
    SAME_DAY = "same_day", "trong ngày"


class ExceptionKind(models.TextChoices):
    """What the exception does to its date."""

    EXTRA_DAY_OFF = "extra_day_off", "Ngày nghỉ bổ sung"
    EXTRA_WORKING_DAY = "extra_working_day", "Ngày làm việc bổ sung"


class CalendarException(models.Model):
    """Extra day off or extra working day — ngày nghỉ / ngày làm việc bổ sung."""

    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=20, choices=ExceptionKind.choices)
    name = models.CharField(
        "lý do",
        max_length=255,
        help_text="Hiển thị trong phần giải thích hạn xử lý, ví dụ: "
        "“Nghỉ bù theo Quyết định số …/QĐ-UBND của UBND tỉnh”.",
    )
    note = models.TextField("ghi chú", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = "ngày nghỉ / làm việc bổ sung"
        verbose_name_plural = "ngày nghỉ / làm việc bổ sung"

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}: {self.name}"
