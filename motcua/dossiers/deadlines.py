"""Deadline rules of the dossier engine — hạn xử lý, kết quả đúng hạn (docs/domain.md §6).

The calendar arithmetic lives in ``motcua.worktime``; this module only decides *what* is counted:

* The dossier's due time (hẹn trả) is the process total counted from the moment the clock starts
  (receipt, or the end of a supplement). Counting begins at the next working period (worktime).
* A step's due time is its own budget counted from the moment the step starts.
* Outcome (kết quả đúng hạn), per dossier and per step: **LATE** (quá hạn) if finished after the due
  instant; **EARLY** (trước hạn) if finished on an earlier *local calendar date* than the due date;
  otherwise **ON_TIME** (đúng hạn). So finishing at 09:00 on the due day counts as on time even if the
  due instant is 17:00 — the citizen was appointed a day, not a minute.
* "Sắp đến hạn" (due soon): the clock runs and the due instant is at most one working day ahead.
  "Quá hạn" (overdue): the clock runs and the due instant has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q

from motcua.catalog.models import ProcessDefinition, ProcessStep
from motcua.documents.wording import time_compact
from motcua.dossiers.models import CLOCK_RUNNING_STATES, Outcome
from motcua.worktime import selectors as worktime
from motcua.worktime.models import TimeUnit

# A step budget of this "unit" is not counted in the deadline (e.g. on-site verification).
NOT_COUNTED = "not_counted"


def local_zone() -> ZoneInfo:
    """The working-time calendar's zone (parsed and cached by ``worktime``)."""
    return worktime.get_schedule().tz


def local_date(instant: datetime) -> str:
    """ISO local date (Asia/Ho_Chi_Minh) — the day citizens and forms talk about."""
    return instant.astimezone(local_zone()).date().isoformat()


def format_local(instant: datetime) -> str:
    """``hh:mm dd/mm/yyyy`` in local time, as on the forms (``documents.wording.time_compact``)."""
    return time_compact(instant)


def budget_counted(amount: Decimal | None, unit: str) -> bool:
    """Whether a budget counts time, i.e. gives a due time (the simulator uses the same rule)."""
    # "Trong ngày" (same day) has no amount; every other unit needs one. Blank: unpublished time.
    if unit in ("", NOT_COUNTED):
        return False
    if unit == TimeUnit.SAME_DAY:
        return True
    # A zero budget ("0 giờ", entered for a hand-over step) counts no time, like "không tính thời
    # gian": a due time at the step's start would make every such step late the moment it began.
    return amount is not None and amount > 0


def process_due(*, process: ProcessDefinition, start: datetime) -> datetime | None:
    """Due instant of the whole process counted from ``start``; None when the process has no budget."""
    if not budget_counted(process.total_amount, process.total_unit):
        return None
    return worktime.add_working_time(start=start, amount=process.total_amount, unit=process.total_unit)


def step_due(*, step: ProcessStep | None, start: datetime) -> datetime | None:
    """Due instant of one step counted from ``start``; None for an uncounted or unknown budget."""
    if step is None or not budget_counted(step.duration_amount, step.duration_unit):
        return None
    return worktime.add_working_time(start=start, amount=step.duration_amount, unit=step.duration_unit)


def resume_due(*, start: datetime, remaining_us: int | None) -> datetime | None:
    """Due instant when ``remaining_us`` microseconds of working time are left from ``start``."""
    if remaining_us is None:
        return None
    return worktime.add_working_duration(start=start, duration=timedelta(microseconds=max(remaining_us, 0)))


def remaining_us(*, now: datetime, due: datetime | None) -> int | None:
    """Working time left until ``due`` (negative when late), in microseconds; None without a due."""
    if due is None:
        return None
    return worktime.working_time_between(start=now, end=due) // timedelta(microseconds=1)


def outcome(*, finished_at: datetime, due_at: datetime | None) -> str:
    """Early / on time / late (see the module docstring); no due time counts as on time."""
    if due_at is None:
        return Outcome.ON_TIME
    if finished_at > due_at:
        return Outcome.LATE
    if local_date(finished_at) < local_date(due_at):
        return Outcome.EARLY
    return Outcome.ON_TIME


def due_soon_threshold(*, now: datetime) -> datetime:
    """Instant one working day after ``now``: a running dossier due at or before it is "sắp đến hạn"."""
    return worktime.add_working_time(start=now, amount=Decimal(1), unit=TimeUnit.WORKING_DAYS)


def is_due_soon(*, state: str, now: datetime, due_at: datetime | None, threshold: datetime) -> bool:
    """ "Sắp đến hạn": the clock runs and the due instant is within ``threshold`` (``due_soon_q`` in SQL)."""
    return state in CLOCK_RUNNING_STATES and due_at is not None and now <= due_at <= threshold


def is_overdue(*, state: str, now: datetime, due_at: datetime | None) -> bool:
    """ "Quá hạn": the clock runs and the due instant has passed (``overdue_q`` in SQL)."""
    return state in CLOCK_RUNNING_STATES and due_at is not None and due_at < now


def due_soon_q(*, now: datetime, threshold: datetime) -> Q:
    return Q(state__in=CLOCK_RUNNING_STATES, due_at__gte=now, due_at__lte=threshold)


def overdue_q(*, now: datetime) -> Q:
    return Q(state__in=CLOCK_RUNNING_STATES, due_at__lt=now)
