"""Portal reads: the tracking hot path returns exactly what the engine's public view returns; the
applicant prefill of the online submission."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from motcua.dossiers.models import DvcqgStatus
from motcua.dossiers.selectors import PublicDossierView, PublicStep, dossier_public_view
from motcua.dossiers.tests.factories import ALL_STAGES, MONDAY_0900, World, dossier_at, vn
from motcua.org.tests.factories import UserFactory
from motcua.portal.selectors import (
    applicant_prefill,
    public_current_step,
    public_in_progress,
    tracking_public_view,
)


@pytest.mark.parametrize("stage", ALL_STAGES)
def test_one_query_view_matches_engine_view(world: World, stage: str, django_assert_num_queries):
    with time_machine.travel(MONDAY_0900, tick=True):
        d = dossier_at(world, stage)
    for now in (MONDAY_0900, vn(2026, 4, 1, 9)):  # before and after the appointment (overdue flag)
        with time_machine.travel(now, tick=False):
            expected = dossier_public_view(code=d.code)
            with django_assert_num_queries(1):
                got = tracking_public_view(code=f"  {d.code} ")
        assert got == expected


def test_unknown_code(db):
    assert tracking_public_view(code="000.00.00.H49-260101-0001") is None


def test_verifier_delegates_to_engine(world: World):
    d = dossier_at(world, "supplement")
    view = tracking_public_view(code=d.code, verifier="5678")
    assert view == dossier_public_view(code=d.code, verifier="5678")
    assert view is not None
    assert view.verified


def _view(status: int, steps: list[PublicStep]) -> PublicDossierView:
    return PublicDossierView(
        code="000.00.00.H49-260302-0001",
        status=status,
        status_label=DvcqgStatus(status).label,
        procedure_code="1.000001",
        procedure_name="Thủ tục",
        submitted_at=MONDAY_0900,
        received_at=None,
        appointed_at=None,
        finished_at=None,
        returned_at=None,
        current_unit_name="UBND phường Hạ Long",
        outcome="",
        outcome_label="",
        overdue=False,
        steps=steps,
        verified=False,
    )


def _step(name: str, *, finished: bool) -> PublicStep:
    return PublicStep(
        name=name,
        unit_name="UBND phường Hạ Long",
        started_at=MONDAY_0900,
        due_at=None,
        finished_at=MONDAY_0900 + timedelta(hours=1) if finished else None,
        status_label="",
        outcome="",
        outcome_label="",
    )


def test_public_current_step_is_the_last_unfinished():
    steps = [_step("Tiếp nhận", finished=True), _step("Thẩm định", finished=False)]
    assert public_current_step(_view(DvcqgStatus.IN_PROGRESS, steps)) == steps[1]
    assert public_current_step(_view(DvcqgStatus.DONE, [_step("Tiếp nhận", finished=True)])) is None
    assert public_current_step(_view(DvcqgStatus.NEW, [])) is None


@pytest.mark.parametrize("status", list(DvcqgStatus))
def test_public_in_progress_until_refused_withdrawn_stopped_or_done(status: DvcqgStatus):
    # The statuses the tracking page used to spell out as numbers: < 9 and not 3, 7 or 8.
    expected = status < 9 and status not in (3, 7, 8)
    assert public_in_progress(_view(status, [])) is expected


@pytest.mark.django_db
def test_prefill_comes_from_the_account():
    citizen = UserFactory(
        citizen=True,
        full_name="Lê Thị Hoa",
        phone="0987654321",
        email="hoa@example.test",
        birth_date=date(1990, 5, 17),
        address="Tổ 3, phường Hạ Long",
    )
    assert applicant_prefill(citizen) == {
        "kind": "person",
        "name": "Lê Thị Hoa",
        "id_number": citizen.personal_id,
        "birth_date": "1990-05-17",
        "phone": "0987654321",
        "email": "hoa@example.test",
        "address": "Tổ 3, phường Hạ Long",
    }
    company = UserFactory(organisation=True, email="")
    assert applicant_prefill(company)["kind"] == "organisation"
    assert applicant_prefill(company)["id_number"] == company.tax_code
    assert "email" not in applicant_prefill(company)
