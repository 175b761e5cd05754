"""Deadlines with a time machine: receipt, steps, outcomes, supplement restart/resume, extension once."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from motcua.dossiers import selectors, services
from motcua.dossiers.models import Dossier, DossierPause, DossierState, Outcome, ProcedureDossierOptions
from motcua.dossiers.tests.factories import (
    MONDAY_0900,
    World,
    dossier_advance,
    dossier_at,
    dossier_receive_at_counter,
    dossier_submit,
    vn,
)
from motcua.worktime.models import TimeUnit


def test_receipt_at_1000_monday_with_3_working_days_is_due_thursday_1000(world: World) -> None:
    with time_machine.travel(vn(2026, 3, 2, 10), tick=False):
        d = dossier_receive_at_counter(world)
    assert d.due_at == vn(2026, 3, 5, 10)
    assert d.original_due_at == d.due_at
    assert d.clock_started_at == vn(2026, 3, 2, 10)
    # Step 1 has half a working day: 10:00–12:00 and 13:00–15:00.
    assert d.current_step is not None
    assert d.current_step.due_at == vn(2026, 3, 2, 15)


def test_online_dossier_accepted_on_saturday_counts_from_monday_0800(world: World) -> None:
    with time_machine.travel(vn(2026, 3, 6, 20), tick=False):  # Friday night
        d = dossier_submit(world)
    assert d.due_at is None
    assert d.status == 1
    with time_machine.travel(vn(2026, 3, 7, 10), tick=False):  # Saturday: reception on duty online
        d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    assert d.received_at == vn(2026, 3, 7, 10)
    assert d.clock_started_at == vn(2026, 3, 9, 8)
    assert d.due_at == vn(2026, 3, 11, 17)  # Mon 08:00 + 3 working days = Wed 17:00


def test_step_and_dossier_outcomes(world: World) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_receive_at_counter(world)  # step 1 due Mon 14:00, dossier due Thu 09:00
    with time_machine.travel(vn(2026, 3, 2, 16), tick=False):  # step 1 finished late
        d = dossier_advance(world, d, to="appraisal")
    first = d.steps.get(seq=1)
    assert first.outcome == Outcome.LATE
    with time_machine.travel(vn(2026, 3, 3, 9), tick=False):
        d = services.dossier_forward(
            actor=world.minh, dossier=d, row_version=d.row_version, assignee=world.hung
        )
        d = services.dossier_approve(actor=world.hung, dossier=d, row_version=d.row_version)
        d = services.dossier_record_signature(
            actor=world.hoa,
            dossier=d,
            signer=world.hung,
            signature_reference="QĐ-1",
            row_version=d.row_version,
        )
    # Due Tue 16:00 (1-day budget from Mon 16:00), done Tue 09:00: same local date → on time, not early.
    assert d.steps.get(seq=2).outcome == Outcome.ON_TIME
    assert d.steps.get(seq=3).outcome == Outcome.EARLY  # approval due Wed 09:00, done Tue
    with time_machine.travel(vn(2026, 3, 5, 8, 30), tick=False):  # Thursday, before 09:00
        d = services.dossier_mark_result_ready(actor=world.hoa, dossier=d, row_version=d.row_version)
    assert d.outcome == Outcome.ON_TIME  # same local date as the appointment
    assert d.status == 9
    assert d.finished_at == vn(2026, 3, 5, 8, 30)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (vn(2026, 3, 4, 16), Outcome.EARLY),
        (vn(2026, 3, 5, 9), Outcome.ON_TIME),
        (vn(2026, 3, 5, 9, 1), Outcome.LATE),
    ],
)
def test_dossier_outcome_boundaries(world: World, finished, expected) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_advance(world, dossier_receive_at_counter(world), to="signed")
    with time_machine.travel(finished, tick=False):
        d = services.dossier_mark_result_ready(actor=world.hoa, dossier=d, row_version=d.row_version)
    assert d.outcome == expected


def _supplement_cycle(world: World) -> Dossier:
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_advance(world, dossier_receive_at_counter(world), to="appraisal")
    with time_machine.travel(vn(2026, 3, 3, 9), tick=False):  # Tuesday: 2 working days left
        d = services.dossier_request_supplement(
            actor=world.minh,
            dossier=d,
            row_version=d.row_version,
            items=["Giấy khai sinh"],
            reason="Thiếu giấy tờ",
        )
    pause = DossierPause.objects.get(dossier=d)
    assert pause.remaining_us == 16 * 3600 * 10**6
    assert d.paused_at == vn(2026, 3, 3, 9)
    with time_machine.travel(vn(2026, 3, 10, 10), tick=False):  # a week later the clock is still stopped
        fresh = Dossier.objects.get(pk=d.pk)
        assert selectors.dossier_flags(dossier=fresh).overdue is False
    return d


def test_supplement_restarts_the_full_duration_by_default(world: World) -> None:
    d = _supplement_cycle(world)
    with time_machine.travel(vn(2026, 3, 13, 9), tick=False):  # Friday
        d = services.dossier_receive_supplement(actor=world.lan, dossier=d, row_version=d.row_version)
    assert d.state == DossierState.PROCESSING
    assert d.due_at == vn(2026, 3, 18, 9)  # Fri 09:00 + 3 working days = Wed 09:00
    assert d.original_due_at == d.due_at
    assert d.current_step is not None
    assert d.current_step.due_at == vn(2026, 3, 16, 9)
    assert DossierPause.objects.get(dossier=d).ended_at == vn(2026, 3, 13, 9)


def test_supplement_resumes_the_remaining_time_when_the_procedure_says_so(world: World) -> None:
    ProcedureDossierOptions.objects.create(procedure=world.procedure, supplement_resumes_remaining=True)
    d = _supplement_cycle(world)
    with time_machine.travel(vn(2026, 3, 13, 9), tick=False):
        d = services.dossier_receive_supplement(actor=world.lan, dossier=d, row_version=d.row_version)
    assert d.due_at == vn(2026, 3, 17, 9)  # 16 working hours left: Fri 09:00 → Tue 09:00


def test_payment_pause_resumes_remaining_time(world: World) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_at(world, "payment")
    assert d.state == DossierState.AWAITING_PAYMENT
    assert d.fees_total == 1_050_000
    with time_machine.travel(vn(2026, 3, 9, 9), tick=False):  # paid a week later, Monday 09:00
        d = services.dossier_record_payment(actor=world.lan, dossier=d, row_version=d.row_version)
    assert d.fees_paid
    assert d.state == DossierState.PROCESSING
    assert d.due_at == vn(2026, 3, 12, 9)  # the 3 working days left at the pause


def test_extension_once_later_and_at_least_one_working_day_before(world: World) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_advance(world, dossier_receive_at_counter(world), to="appraisal")  # due Thu 09:00
    with time_machine.travel(vn(2026, 3, 4, 9), tick=False):  # Wed 09:00: exactly one working day left
        with pytest.raises(services.DossierInvalid, match="phải sau ngày hẹn hiện tại"):
            services.dossier_extend(
                actor=world.minh,
                dossier=d,
                row_version=d.row_version,
                new_due_at=vn(2026, 3, 5, 8),
                reason="x",
            )
        d = services.dossier_extend(
            actor=world.minh,
            dossier=d,
            row_version=d.row_version,
            new_due_at=vn(2026, 3, 10, 17),
            reason="Cần xác minh thực địa",
        )
    assert d.extended
    assert d.due_at == vn(2026, 3, 10, 17)
    assert d.original_due_at == vn(2026, 3, 5, 9)
    with time_machine.travel(vn(2026, 3, 5, 9), tick=False):
        assert "extend" not in selectors.dossier_allowed_actions(user=world.hung, dossier=d)
        with pytest.raises(
            services.DossierActionNotAllowed, match="chỉ được hẹn lại ngày trả kết quả một lần"
        ):
            services.dossier_extend(
                actor=world.hung,
                dossier=d,
                row_version=d.row_version,
                new_due_at=vn(2026, 3, 20, 17),
                reason="y",
            )


def test_extension_refused_within_the_last_working_day(world: World) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_advance(world, dossier_receive_at_counter(world), to="appraisal")
    with time_machine.travel(vn(2026, 3, 4, 10), tick=False):  # Wed 10:00: 7 working hours left
        assert "extend" not in selectors.dossier_allowed_actions(user=world.minh, dossier=d)
        with pytest.raises(services.DossierActionNotAllowed, match="chậm nhất 01 ngày làm việc"):
            services.dossier_extend(
                actor=world.minh,
                dossier=d,
                row_version=d.row_version,
                new_due_at=vn(2026, 3, 10, 17),
                reason="x",
            )
    assert not Dossier.objects.get(pk=d.pk).extended


def test_due_soon_and_overdue_flags(world: World) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_advance(world, dossier_receive_at_counter(world), to="appraisal")  # due Thu 09:00
        flags = selectors.dossier_flags(dossier=d)
        assert (flags.due_soon, flags.overdue) == (False, False)
    with time_machine.travel(vn(2026, 3, 4, 10), tick=False):
        flags = selectors.dossier_flags(dossier=d)
        assert (flags.due_soon, flags.overdue) == (True, False)
    with time_machine.travel(vn(2026, 3, 5, 9, 1), tick=False):
        flags = selectors.dossier_flags(dossier=d)
        assert (flags.due_soon, flags.overdue) == (False, True)


def test_due_explanation_lists_pauses_and_extension(world: World) -> None:
    d = _supplement_cycle(world)
    with time_machine.travel(vn(2026, 3, 13, 9), tick=False):
        d = services.dossier_receive_supplement(actor=world.lan, dossier=d, row_version=d.row_version)
        d = services.dossier_extend(
            actor=world.minh,
            dossier=d,
            row_version=d.row_version,
            new_due_at=vn(2026, 3, 20, 17),
            reason="Xác minh",
        )
    explanation = selectors.dossier_due_explanation(dossier=d)
    assert explanation.base is not None
    assert explanation.base.due == vn(2026, 3, 18, 9)
    assert len(explanation.pauses) == 1
    assert explanation.pauses[0]["items"][0]["name"] == "Giấy khai sinh"
    assert explanation.extension is not None
    assert explanation.due_at == vn(2026, 3, 20, 17)
    assert any("Tạm dừng" in line for line in explanation.lines)


@pytest.mark.parametrize(
    ("amount", "unit", "counted"),
    [
        (Decimal("0"), TimeUnit.WORKING_HOURS, False),
        (Decimal("0"), TimeUnit.WORKING_DAYS, False),
        (Decimal("0.5"), TimeUnit.WORKING_HOURS, True),
        (None, TimeUnit.SAME_DAY, True),
        (None, TimeUnit.WORKING_DAYS, False),
        (Decimal("2"), "not_counted", False),
    ],
)
def test_a_zero_budget_step_has_no_due_time(db: None, amount, unit, counted) -> None:
    """A step entered with 0 hours counts no time; otherwise it would be late the moment it began."""
    from motcua.catalog.models import ProcessStep
    from motcua.dossiers import deadlines

    step = ProcessStep(order=1, name="Chuyển hồ sơ", duration_amount=amount, duration_unit=unit)
    start = vn(2026, 3, 2, 9)
    due = deadlines.step_due(step=step, start=start)
    assert (due is not None) == counted
    if due is not None:
        assert due > start
        assert deadlines.outcome(finished_at=start, due_at=due) != "late"
