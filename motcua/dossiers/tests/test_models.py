"""The model contract: every internal state maps to one DVCQG status; open/clock groups are consistent."""

from __future__ import annotations

from motcua.dossiers.models import CLOCK_RUNNING_STATES, OPEN_STATES, STATE_STATUS, DossierState, DvcqgStatus


def test_every_state_maps_to_one_dvcqg_status() -> None:
    assert set(STATE_STATUS) == set(DossierState.values)
    assert set(STATE_STATUS.values()) == set(DvcqgStatus.values)


def test_clock_runs_only_in_open_states() -> None:
    assert CLOCK_RUNNING_STATES <= OPEN_STATES
    closed = set(DossierState.values) - OPEN_STATES
    assert closed == {"refused", "withdrawn", "stopped", "returned"}
