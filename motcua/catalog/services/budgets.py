"""Time budgets of a process and their checks — thời hạn của các bước (pure: no database).

A process definition (quy trình nội bộ) gives each step a budget; the counted budgets must sum exactly
to the procedure's statutory time, and every budget must be one the worktime engine can compute a
deadline for. The importer, the admin and ``processes`` share these checks, so they live apart from
any storage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from motcua.catalog.models import TimeUnit
from motcua.catalog.services.common import (
    DATA_UNITS,
    NOT_COUNTED,
    STEP_UNITS,
    WORKING_UNITS,
    hours_per_day,
)
from motcua.core.formatting import format_number
from motcua.worktime.calendar import WorkTimeError, validate_amount


@dataclass(frozen=True)
class Budget:
    """A time amount: ``amount`` None with a unit other than same_day means unknown."""

    amount: Decimal | None
    unit: str


@dataclass(frozen=True)
class BudgetProblem:
    """A process inconsistency; ``step`` is the 0-based step index, None for the process as a whole."""

    step: int | None
    message: str


def unit_text(unit: str) -> str:
    """The Vietnamese label of a budget unit ("ngày làm việc"); an unknown code is quoted as it is."""
    if unit == NOT_COUNTED:
        return "không tính thời gian"
    if unit in DATA_UNITS:
        return str(TimeUnit(unit).label)
    return f"“{unit}”" if unit else "(chưa chọn đơn vị)"


def budget_text(budget: Budget) -> str:
    """A budget for the admin's messages: "0,5 ngày làm việc" (decimal comma), "trong ngày", "chưa có".

    Always Vietnamese: the admin is (``core.language``), and the importer's report quotes the same text.
    """
    if not budget.unit:
        return "chưa có" if budget.amount is None else format_number(budget.amount)
    if budget.amount is None or budget.unit == TimeUnit.SAME_DAY:
        return unit_text(budget.unit)
    return f"{format_number(budget.amount)} {unit_text(budget.unit)}"


_API_CODES = re.compile(r" \((?:amount|unit|start|end|[a-z]+_[a-z_]+)\)")


class BudgetUnitError(ValueError):
    """A budget unit that cannot be expressed in the unit of the total."""


def budget_convert(amount: Decimal, unit: str, target: str) -> Decimal:
    if unit == target:
        return amount
    if unit in WORKING_UNITS and target in WORKING_UNITS:
        if target == TimeUnit.WORKING_HOURS:
            return amount * hours_per_day()
        return amount / hours_per_day()
    raise BudgetUnitError(f"không quy đổi được {unit_text(unit)} sang {unit_text(target)}")


def process_step_budgets_sum(*, budgets: Iterable[Budget], unit: str) -> Decimal | None:
    """Sum of the counted budgets expressed in ``unit``; not_counted steps are left out.

    Working days and working hours convert at ``WORKTIME["HOURS_PER_DAY"]``; any other mix raises
    ``BudgetUnitError``. None when a counted budget is unknown (amount None), or for same-day
    processes, whose steps all end with the day and have no amount to add.
    """
    total = Decimal(0)
    unknown = False
    for budget in budgets:
        if budget.unit == NOT_COUNTED:
            continue
        if budget.unit == TimeUnit.SAME_DAY or unit == TimeUnit.SAME_DAY:
            if budget.unit != unit:
                raise BudgetUnitError(f"không quy đổi được {unit_text(budget.unit)} sang {unit_text(unit)}")
            unknown = True
            continue
        if budget.amount is None or budget.unit == "":
            unknown = True
            continue
        total += budget_convert(budget.amount, budget.unit, unit)
    return None if unknown else total


def budget_engine_error(budget: Budget) -> str | None:
    """Why the worktime engine (``add_working_time``) would reject ``budget``; None if it accepts it.

    Only known, counted budgets are checked: not_counted steps, a blank unit and a missing amount
    (other than same_day) are "no budget", never handed to the engine. E.g. calendar days must be
    whole (0.5 calendar days is rejected), same_day takes no amount.
    """
    if budget.unit in ("", NOT_COUNTED) or budget.unit not in DATA_UNITS:
        return None
    if budget.amount is None and budget.unit != TimeUnit.SAME_DAY:
        return None
    try:
        validate_amount(budget.amount, TimeUnit(budget.unit), hours_per_day=hours_per_day())
    except WorkTimeError as exc:
        # The engine's messages name its API parameters ("Thời hạn (amount) …", "(calendar_days)") for
        # API callers; the admin and the import report have no such fields, so the codes are dropped.
        return _API_CODES.sub("", exc.message)
    return None


def step_budget_error(budget: Budget) -> str | None:
    """What is wrong with one step's own budget, whatever the other steps; None if nothing.

    The admin checks it when a draft step is saved (a negative time is refused there, not only at
    activation), and ``process_definition_validate`` for every step.
    """
    if budget.unit not in STEP_UNITS and budget.unit != "":
        return f"Đơn vị thời gian không hợp lệ: “{budget.unit}”"
    if budget.amount is not None and budget.amount < 0:
        return f"Thời gian của bước không được âm: {budget_text(budget)}"
    if budget.unit == NOT_COUNTED and budget.amount not in (None, Decimal(0)):
        return "Bước không tính thời gian phải có thời lượng 0 hoặc để trống"
    if budget.unit == TimeUnit.SAME_DAY and budget.amount is not None:
        return "Bước “trong ngày” không nhập số lượng thời gian"
    if (error := budget_engine_error(budget)) is not None:
        return f"Thời gian của bước không tính được hạn xử lý: {error}"
    return None


def process_definition_validate(*, total: Budget | None, budgets: Sequence[Budget]) -> list[BudgetProblem]:
    """Check one process: sane budgets, and counted budgets summing exactly to the statutory time.

    Pure (no database) so that the import, the admin and tests share it. ``total`` None or with a None
    amount (other than same_day) means the procedure publishes no time: then only the budgets' own
    sanity is checked. Every budget, and the total, must also be one the worktime engine accepts for
    its unit (``budget_engine_error``): a dossier on the process computes its deadlines with it.
    """
    problems: list[BudgetProblem] = []
    if not budgets:
        return [BudgetProblem(None, "Quy trình không có bước nào")]
    total_error = budget_engine_error(total) if total is not None else None
    if total_error is not None:
        problems.append(BudgetProblem(None, f"Thời hạn giải quyết không tính được hạn xử lý: {total_error}"))
    for index, budget in enumerate(budgets):
        if (message := step_budget_error(budget)) is not None:
            problems.append(BudgetProblem(index, message))
    if problems:
        return problems
    known_total = (
        total is not None and total.unit != "" and (total.amount is not None or total.unit == "same_day")
    )
    if not known_total:
        return problems
    assert total is not None
    for index, budget in enumerate(budgets):
        if budget.unit == NOT_COUNTED:
            continue
        if budget.unit == "":
            problems.append(BudgetProblem(index, "Thiếu đơn vị thời gian của bước"))
            continue
        try:
            process_step_budgets_sum(budgets=[budget], unit=total.unit)
        except BudgetUnitError as exc:
            problems.append(BudgetProblem(index, f"Đơn vị của bước khác đơn vị thời hạn: {exc}"))
            continue
        if total.unit != TimeUnit.SAME_DAY and budget.amount is None:
            problems.append(BudgetProblem(index, "Thiếu thời gian của bước"))
    if problems or total.unit == TimeUnit.SAME_DAY:
        return problems
    # Compare in hours when working days and working hours mix: exact, no division.
    unit = TimeUnit.WORKING_HOURS if total.unit in WORKING_UNITS else total.unit
    counted = process_step_budgets_sum(budgets=budgets, unit=unit)
    assert total.amount is not None
    expected = budget_convert(total.amount, total.unit, unit)
    if counted != expected:
        shown = Budget(process_step_budgets_sum(budgets=budgets, unit=total.unit), total.unit)
        problems.append(
            BudgetProblem(
                None,
                f"Tổng thời gian các bước ({budget_text(shown)}) khác thời hạn giải quyết "
                f"({budget_text(total)}): tổng thời gian các bước phải bằng thời hạn giải quyết",
            )
        )
    return problems


def budget_problems_text(problems: Iterable[BudgetProblem]) -> str:
    """One line for people: ``bước 2: …; …`` (steps numbered from 1), process-wide problems unnumbered."""
    return "; ".join((f"bước {p.step + 1}: " if p.step is not None else "") + p.message for p in problems)
