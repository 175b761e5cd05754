"""Writes of the working-time calendar — ngày nghỉ / ngày làm việc bổ sung of the province.

The admin edits ``CalendarException`` rows directly; imports and other code use these functions. Both
paths restamp the reference data through the model signals (``reference_data_watch`` in ``apps.py``),
so every process's calendar follows once the change commits (``selectors.get_calendar``).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from motcua.worktime.models import CalendarException, ExceptionKind


def save_calendar_exception(
    *, day: date, kind: ExceptionKind | str, name: str, note: str = ""
) -> CalendarException:
    """Create or replace the exception of ``day`` (validated; ValidationError in Vietnamese)."""
    with transaction.atomic():
        # Lock an existing row so two concurrent edits of the same date apply one after the other; two
        # concurrent *creations* of a date meet the unique constraint instead (IntegrityError).
        exception = CalendarException.objects.select_for_update().filter(date=day).first()
        if exception is None:
            exception = CalendarException(date=day)
        exception.kind = str(kind)  # full_clean() rejects unknown kinds with Django's Vietnamese message
        exception.name = name.strip()
        exception.note = note.strip()
        exception.full_clean()
        exception.save()
    return exception


def delete_calendar_exception(*, day: date) -> bool:
    """Remove the exception of ``day``; False when there was none."""
    with transaction.atomic():
        deleted, _ = CalendarException.objects.filter(date=day).delete()
    return deleted > 0
