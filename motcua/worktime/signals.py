"""Keep the shared calendar in step with ``settings.WORKTIME`` (rows follow the reference-data stamp)."""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver

from motcua.worktime.selectors import reset_calendar_cache


@receiver(setting_changed, dispatch_uid="worktime_setting_changed")
def worktime_setting_changed(setting: str, **kwargs: Any) -> None:
    # override_settings in tests: the schedule is parsed once per process.
    if setting == "WORKTIME":
        reset_calendar_cache()
