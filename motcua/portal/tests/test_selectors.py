"""The tracking hot path returns exactly what the dossier engine's public view returns."""

from __future__ import annotations

import pytest
import time_machine

from motcua.dossiers.selectors import dossier_public_view
from motcua.dossiers.tests.factories import ALL_STAGES, MONDAY_0900, World, dossier_at, vn
from motcua.portal.selectors import tracking_public_view


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
