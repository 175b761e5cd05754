"""Simulated histories replayed through the engine's rules — every recorded transition must be allowed.

A few hundred dossiers are simulated on the test world; then, from the stored rows alone (events, steps,
dossiers), each dossier's history is replayed event by event: the dossier is put back in the state it
had just before the event (state, current step and its assignee, signature, extension, due time), and
``rules.check`` must let the event's actor take the event's action then. The chain of states must
hold together, and each state must sit at the step position the rules give it (module docstring of
``dossiers.rules``).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from motcua.devtools.simulation import simulate
from motcua.dossiers import rules
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import OPEN_STATES, Dossier, DossierEvent, DossierState, DossierStep
from motcua.dossiers.rules import Action
from motcua.dossiers.tests.factories import FIVE_STEPS, World, procedure_with_process
from motcua.org.models import Role, UnitKind
from motcua.worktime.models import TimeUnit

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 3, 30, tzinfo=UTC)  # Friday 10:30 in Hạ Long
ACTIONS = frozenset(Action)
# Events that open a dossier (not actions on an existing one): online submission, counter receipt.
OPENINGS = {"submit": DossierState.SUBMITTED, "receive": DossierState.ACCEPTED}
# Actions that record something without moving the dossier.
IN_PLACE = frozenset({Action.CLAIM, Action.REASSIGN, Action.EXTEND, Action.RECORD_SIGNATURE})


def _due(event: DossierEvent, due: datetime | None) -> datetime | None:
    """The due time after ``event``: receipt, resumption and extension say it in their data."""
    text = (event.data or {}).get("due_at")
    return datetime.fromisoformat(text) if text else due


def _current_steps(events: list[DossierEvent], steps: list[DossierStep]) -> list[DossierStep | None]:
    """The current step just before each event.

    A step starts at the instant of the event that opens it (accept, receive, forward, decision …: any
    event that moves the dossier); a claim or an extension may share that instant. So before an event,
    the current step is the last one started earlier, or at the same instant by an earlier moving event.
    """
    opened_by: dict[datetime, int] = {}
    for event in events:
        if event.action not in IN_PLACE:
            opened_by.setdefault(event.at, event.seq)
    current: list[DossierStep | None] = []
    for event in events:
        started = [
            s
            for s in steps
            if s.started_at < event.at
            or (s.started_at == event.at and opened_by.get(event.at, event.seq) < event.seq)
        ]
        current.append(started[-1] if started else None)
    return current


def _replay(dossier: Dossier, users: dict[int, Any]) -> list[str]:
    """Problems found replaying one dossier (empty when every transition is one the rules allow)."""
    problems: list[str] = []
    events: list[DossierEvent] = list(dossier.events.all())
    steps: list[DossierStep] = list(dossier.steps.all())
    plan = rules.step_plan(dossier)
    before = _current_steps(events, steps)
    # A claimed step had no assignee until its claim.
    for event, step in zip(events, before, strict=True):
        if event.action == Action.CLAIM and step is not None:
            step.assignee_id = None
    final = {field: getattr(dossier, field) for field in ("state", "current_step_id", "current_unit_id")}
    state, due, signed, extended = "", None, None, False
    for event, step in zip(events, before, strict=True):
        where = f"{dossier.code} #{event.seq} {event.action}"
        if event.from_state != state:
            problems.append(f"{where}: from «{event.from_state}», but the previous event left «{state}»")
        if event.seq == 1:
            if OPENINGS.get(event.action) != event.to_state:
                problems.append(f"{where}: a history opens with submit or receive, not → {event.to_state}")
        elif event.action not in ACTIONS:
            problems.append(f"{where}: not an action of the rules")
        else:
            dossier.state = event.from_state
            dossier.current_step = step
            dossier.current_unit_id = step.unit_id if step is not None else dossier.receiving_unit_id
            dossier.signed_at = signed
            dossier.extended = extended
            dossier.due_at = due
            actor = users.get(event.actor_id) if event.actor_id is not None else None
            message = rules.state_error(event.action, dossier, now=event.at)
            if message is None and actor is not None:
                # The citizen (no account in a simulation) acts only on their own dossier: withdraw.
                try:
                    rules.check(event.action, user=actor, dossier=dossier, now=event.at)
                except DossierError as exc:
                    message = str(exc)
            elif message is None and event.action != Action.WITHDRAW:
                message = "no actor"
            if message:
                position = plan.index_of(step.process_step_id) if step is not None else None
                problems.append(f"{where} at step {position} in «{event.from_state}»: {message}")
            if event.action in IN_PLACE and event.to_state != event.from_state:
                problems.append(f"{where}: moved the dossier to «{event.to_state}»")
            if event.action == Action.CLAIM and step is not None:
                step.assignee_id = event.actor_id
        state = event.to_state
        due = _due(event, due)
        if event.action == Action.RECORD_SIGNATURE:
            signed = event.at
        if event.action == Action.EXTEND:
            extended = True
    if state != final["state"]:
        problems.append(f"{dossier.code}: the last event leaves «{state}», the dossier is «{final['state']}»")
    problems.extend(_position_problems(dossier, plan, steps[-1] if steps else None, final))
    return problems


def _position_problems(
    dossier: Dossier, plan: rules.StepPlan, last_step: DossierStep | None, final: dict[str, Any]
) -> list[str]:
    """Where the dossier stands must fit its state: a result is ready at the return step, a liên thông
    dossier is at a step outside the plan, a dossier being worked on is at a plan step before the return."""
    state = final["state"]
    if state not in OPEN_STATES or state == DossierState.SUBMITTED:
        return []
    if last_step is None or final["current_step_id"] != last_step.pk:
        return [f"{dossier.code}: open in «{state}» but its current step is not its last one"]
    index = plan.index_of(last_step.process_step_id)
    if state == DossierState.RESULT_READY and index != plan.last_index:
        return [f"{dossier.code}: result ready at step {index}, not at the return step {plan.last_index}"]
    if state == DossierState.TRANSFERRED and index is not None:
        return [f"{dossier.code}: transferred but at plan step {index}"]
    working = state in (DossierState.ACCEPTED, DossierState.PROCESSING)
    if working and (index is None or index >= plan.last_index):
        return [f"{dossier.code}: «{state}» at step {index} of {plan.last_index + 1}"]
    if final["current_unit_id"] != last_step.unit_id:
        return [f"{dossier.code}: current unit is not the current step's unit"]
    return []


_CENTRE, _COMMITTEE, _DAYS = UnitKind.COMMUNE_CENTRE, UnitKind.COMMUNE_COMMITTEE, TimeUnit.WORKING_DAYS
_RETURN = ("Trả kết quả", _CENTRE, Role.RECEPTION, "0", "not_counted")
# Process shapes beside the world's five steps, so that each step position rule is met in several
# places: the decision at the first step, the decision just before the return (no signing step), a
# division head deciding, and two signing steps.
SHAPES: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    "two steps": (("Tiếp nhận và giải quyết", _CENTRE, Role.RECEPTION, "1", _DAYS), _RETURN),
    "decision before the return": (
        ("Tiếp nhận hồ sơ", _CENTRE, Role.RECEPTION, "0.5", _DAYS),
        ("Thẩm định", _COMMITTEE, Role.SPECIALIST, "1", _DAYS),
        ("Phê duyệt", _COMMITTEE, Role.DIVISION_HEAD, "1.5", _DAYS),
        _RETURN,
    ),
    "two signing steps": (
        *FIVE_STEPS[:3],
        ("Đóng dấu", _COMMITTEE, Role.CLERK, "0.5", _DAYS),
        *FIVE_STEPS[3:],
    ),
}


def test_every_simulated_transition_is_one_the_rules_allow(world: World) -> None:
    for name, steps in SHAPES.items():
        procedure_with_process(name=f"Thủ tục thử nghiệm: {name}", total="3", steps=steps)
    simulate(dossiers=300, days=60, seed=17, now=NOW, force_all_states=True, batch=300, workers=1)

    users = {user.pk: user for user in get_user_model().objects.all()}
    dossiers = Dossier.objects.select_related(
        "receiving_unit", "competent_unit", "current_unit", "transfer_origin_unit"
    ).prefetch_related(
        Prefetch("events", queryset=DossierEvent.objects.order_by("seq")),
        Prefetch("steps", queryset=DossierStep.objects.select_related("unit").order_by("seq")),
    )
    problems: list[str] = []
    actions: Counter[str] = Counter()
    for dossier in dossiers:
        actions.update(event.action for event in dossier.events.all())
        problems.extend(_replay(dossier, users))

    assert problems == []
    # The replay saw the whole repertoire of the simulator, not a few easy paths.
    simulated = {
        Action.ACCEPT, Action.REFUSE, Action.CLAIM, Action.FORWARD, Action.SEND_BACK, Action.TRANSFER,
        Action.TRANSFER_BACK, Action.REQUEST_SUPPLEMENT, Action.RECEIVE_SUPPLEMENT, Action.REQUEST_PAYMENT,
        Action.RECORD_PAYMENT, Action.APPROVE, Action.RECORD_SIGNATURE, Action.MARK_RESULT_READY,
        Action.RETURN_RESULT, Action.WITHDRAW, Action.STOP,
    }  # fmt: skip
    assert simulated <= actions.keys(), simulated - actions.keys()
    shapes = {f"Thủ tục thử nghiệm: {name}" for name in SHAPES}
    assert shapes <= set(Dossier.objects.values_list("procedure__name", flat=True))
