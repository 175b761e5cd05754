"""Every process budget must be one the worktime engine can count (``add_working_time``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from motcua.catalog.models import Level, ProcessDefinition, ProcessStep
from motcua.catalog.services import (
    NOT_COUNTED,
    Budget,
    CatalogValidationError,
    budget_engine_error,
    catalog_import,
    process_definition_derive,
    process_definition_validate,
)
from motcua.catalog.tests.test_import_fixtures import detailed, row, write_catalog
from motcua.worktime.models import TimeUnit
from motcua.worktime.selectors import add_working_time

pytestmark = pytest.mark.django_db

D = Decimal
MONDAY_0900 = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
CD, WD, SAME = TimeUnit.CALENDAR_DAYS, TimeUnit.WORKING_DAYS, TimeUnit.SAME_DAY


def _counted(amount: Decimal | None, unit: str) -> bool:
    # What motcua.dossiers.deadlines hands to the engine: a unit other than blank / not_counted, and an
    # amount unless the unit is same_day.
    return unit not in ("", NOT_COUNTED) and (amount is not None or unit == SAME)


def test_every_budget_of_the_real_catalogue_is_accepted_by_the_worktime_engine(real_catalogue: None) -> None:
    processes = (
        ProcessDefinition.objects.filter(is_current=True)
        .select_related("procedure")
        .prefetch_related("steps")
    )
    assert processes.exists()
    checked = 0
    for process in processes:
        if _counted(process.total_amount, process.total_unit):
            add_working_time(start=MONDAY_0900, amount=process.total_amount, unit=process.total_unit)
        step: ProcessStep
        for step in process.steps.all():
            if _counted(step.duration_amount, step.duration_unit):
                add_working_time(start=MONDAY_0900, amount=step.duration_amount, unit=step.duration_unit)
                checked += 1
    assert checked > 0
    # The calendar-day procedures of the bug report: whole-day steps summing to the 15 days.
    for code in ("2.000117", "1.013225"):
        process = processes.get(procedure__code=code)
        assert (process.total_amount, process.total_unit) == (D(15), CD)
        assert [(s.duration_amount, s.duration_unit) for s in process.steps.order_by("order")] == [
            (D(1), CD),
            (D(12), CD),
            (D(1), CD),
            (D(1), CD),
            (D(0), NOT_COUNTED),
        ]


@pytest.mark.parametrize("amount", ["1", "2", "3", "4", "15", "365"])
def test_derived_calendar_day_budgets_are_whole_days_summing_to_the_total(amount: str) -> None:
    spec = process_definition_derive(level=Level.PROVINCE, total=Budget(D(amount), CD))
    budgets = [s.budget for s in spec.steps]
    assert all(b.amount is not None and b.amount == b.amount.to_integral_value() for b in budgets)
    assert all(budget_engine_error(b) is None for b in budgets)
    assert process_definition_validate(total=Budget(D(amount), CD), budgets=budgets) == []


@pytest.mark.parametrize(
    ("budget", "accepted"),
    [
        (Budget(D("0.5"), CD), False),
        (Budget(D(1), CD), True),
        (Budget(D("0.5"), WD), True),
        (Budget(D(4000), WD), False),  # beyond the engine's ten-year bound
        (Budget(None, SAME), True),
        (Budget(None, WD), True),  # unknown: not handed to the engine
        (Budget(D(0), NOT_COUNTED), True),
        (Budget(None, ""), True),
    ],
)
def test_budget_engine_error(budget: Budget, accepted: bool) -> None:
    assert (budget_engine_error(budget) is None) is accepted


def test_validation_reports_steps_and_totals_the_engine_rejects() -> None:
    problems = process_definition_validate(
        total=Budget(D(2), CD), budgets=[Budget(D("0.5"), CD), Budget(D("1.5"), CD)]
    )
    assert [p.step for p in problems] == [0, 1]
    assert all("không tính được hạn xử lý" in p.message for p in problems)
    problems = process_definition_validate(total=Budget(D("1.5"), CD), budgets=[Budget(D("1.5"), CD)])
    assert problems
    assert problems[0].step is None
    assert "không tính được hạn xử lý" in problems[0].message


def test_import_reports_a_step_budget_the_engine_rejects(tmp_path: Path) -> None:
    steps = [
        {"step": "B1", "actor": "Công chức tiếp nhận", "duration": {"amount": 0.5, "unit": "calendar_days"}},
        {"step": "B2", "actor": "Công chức", "duration": {"amount": 1.5, "unit": "calendar_days"}},
    ]
    data = write_catalog(
        tmp_path,
        [row("1.000001")],
        [
            detailed(
                "1.000001",
                processing_time={"amount": 2, "unit": "calendar_days", "text": "02 ngày"},
                internal_process=steps,
            )
        ],
    )
    with pytest.raises(CatalogValidationError) as caught:
        catalog_import(path=data)
    messages = [str(p) for p in caught.value.problems]
    assert any("internal_process[0].duration" in m and "không tính được hạn xử lý" in m for m in messages)
    assert any("internal_process[1].duration" in m and "không tính được hạn xử lý" in m for m in messages)


def test_import_reports_a_processing_time_the_engine_rejects(tmp_path: Path) -> None:
    data = write_catalog(
        tmp_path,
        [row("1.000001")],
        [detailed("1.000001", processing_time={"amount": 1.5, "unit": "calendar_days", "text": "1,5 ngày"})],
    )
    with pytest.raises(CatalogValidationError) as caught:
        catalog_import(path=data)
    assert any(
        "processing_time.amount" in str(p) and "không tính được hạn xử lý" in str(p)
        for p in caught.value.problems
    )
