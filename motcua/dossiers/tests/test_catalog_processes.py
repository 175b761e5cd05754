"""Receipt of real catalogue procedures with derived processes: calendar-day and same-day deadlines."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from motcua.catalog.models import Procedure, ProcessDefinition
from motcua.dossiers import deadlines
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_receive_at_counter, vn
from motcua.worktime.models import TimeUnit


def test_receipt_of_a_calendar_day_procedure_2_000117(real_catalogue: None, world: World) -> None:
    procedure = Procedure.objects.get(code="2.000117")  # 15 calendar days, derived five steps
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_receive_at_counter(
            world,
            by=world.ngoc,
            receiving_unit=world.province_centre,
            procedure=procedure,
            chosen_unit=world.department,
        )
    assert d.process.total_unit == TimeUnit.CALENDAR_DAYS
    assert d.clock_started_at == MONDAY_0900
    assert d.due_at == vn(2026, 3, 17, 9)  # 15 days later, a Tuesday
    assert d.current_step is not None
    assert d.current_step.process_step is not None
    assert d.current_step.process_step.duration_amount == Decimal(1)
    assert d.current_step.due_at == vn(2026, 3, 3, 9)  # receipt step: one calendar day


def test_receipt_of_a_same_day_procedure_is_due_at_the_end_of_the_working_day(
    real_catalogue: None, world: World
) -> None:
    procedure = Procedure.objects.get(code="2.000908")  # chứng thực: trong ngày, no amount
    assert (procedure.processing_time_amount, procedure.processing_time_unit) == (None, TimeUnit.SAME_DAY)
    with time_machine.travel(vn(2026, 3, 2, 10), tick=False):
        d = dossier_receive_at_counter(world, procedure=procedure)
    assert (d.process.total_amount, d.process.total_unit) == (None, TimeUnit.SAME_DAY)
    assert d.due_at == vn(2026, 3, 2, 17)
    assert d.current_step is not None
    assert d.current_step.due_at == vn(2026, 3, 2, 17)
    # Received after hours on Friday: counting starts Monday 08:00, so due Monday 17:00.
    with time_machine.travel(vn(2026, 3, 6, 18), tick=False):
        late = dossier_receive_at_counter(world, procedure=procedure)
    assert late.due_at == vn(2026, 3, 9, 17)


@pytest.mark.django_db  # the calendar reads the province's exception table
def test_process_due_of_a_same_day_process_without_amount() -> None:
    process = ProcessDefinition(total_amount=None, total_unit=TimeUnit.SAME_DAY)
    assert deadlines.process_due(process=process, start=vn(2026, 3, 2, 10)) == vn(2026, 3, 2, 17)
    unknown = ProcessDefinition(total_amount=None, total_unit=TimeUnit.WORKING_DAYS)
    assert deadlines.process_due(process=unknown, start=vn(2026, 3, 2, 10)) is None
