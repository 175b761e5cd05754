"""Keep the shared calendar in step with ``CalendarException`` rows and ``settings.WORKTIME``."""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from motcua.worktime.models import CalendarException
from motcua.worktime.selectors import notify_exceptions_changed, reset_calendar_cache


@receiver(post_save, sender=CalendarException, dispatch_uid="worktime_exception_saved")
@receiver(post_delete, sender=CalendarException, dispatch_uid="worktime_exception_deleted")
def exception_changed(sender: type[CalendarException], **kwargs: Any) -> None:
    notify_exceptions_changed()


@receiver(setting_changed, dispatch_uid="worktime_setting_changed")
def worktime_setting_changed(setting: str, **kwargs: Any) -> None:
    # override_settings in tests; a cache backend swap also orphans the published digest.
    if setting in ("WORKTIME", "CACHES"):
        reset_calendar_cache()
