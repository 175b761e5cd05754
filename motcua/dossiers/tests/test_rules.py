"""Step positions of the state machine for processes other than the standard five steps."""

from __future__ import annotations

from motcua.catalog.models import ProcessStep
from motcua.dossiers.rules import step_plan_build
from motcua.org.models import Role


def _steps(*roles: str) -> list[ProcessStep]:
    return [ProcessStep(order=i + 1, name=str(role), actor_role=role) for i, role in enumerate(roles)]


def test_decision_step_is_the_last_leader_step_before_the_return() -> None:
    plan = step_plan_build(
        _steps(Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.LEADER, Role.CLERK, Role.RECEPTION)
    )
    assert plan.decision_index == 3
    assert plan.last_index == 5


def test_without_a_leader_the_division_head_decides_else_the_step_before_the_return() -> None:
    assert (
        step_plan_build(_steps(Role.RECEPTION, Role.DIVISION_HEAD, Role.CLERK, Role.RECEPTION)).decision_index
        == 1
    )
    assert step_plan_build(_steps(Role.RECEPTION, Role.SPECIALIST, Role.RECEPTION)).decision_index == 1
    assert step_plan_build(_steps(Role.RECEPTION, Role.RECEPTION)).decision_index == 0
