"""The dossier state machine as one table — bảng chuyển trạng thái: every action × state × step position.

Database-free: the dossier, its five process steps, its units and the official are unsaved model
instances (the steps' plan and the official's grants are attached in memory), and any query fails the
test (no ``django_db`` mark, plus the ``_no_queries`` guard). The official always holds the role of the
current step in the step's unit, and the step is in the unit pool (no assignee); with no current step
the official is a reception officer of the receiving centre. So the table shows what the *state* and
the *step* allow, and where the action needs a role other than the step's.

The process is the Quảng Ninh five-step process (see ``motcua/dossiers/rules.py`` for the positions):

========== ======================= ========================= ==========================================
position   step                    actor                     meaning
========== ======================= ========================= ==========================================
first      1 Tiếp nhận hồ sơ       reception, commune centre the first step, before the decision step
before     2 Thẩm định             specialist, commune       a later step before the decision step
decision   3 Phê duyệt             leader, commune           the decision step (approve / reject)
signing    4 Ký số                 clerk, commune            between the decision and the return
return     5 Trả kết quả           reception, commune centre the last step: return of the result
none       (no current step)       reception, commune centre before acceptance
========== ======================= ========================= ==========================================

Two facts hold for every dossier here, so that the table stays about states and steps: the signature
is recorded once the dossier is at the signing or return step (``unsigned`` is shown by its own test),
and the statutory deadline has passed — so an extension, possible only while the clock runs, is always
refused for lateness (``d``): the "at least one working day before the deadline" arithmetic needs the
province calendar and is tested with it in ``test_services_deadlines``.

Cells: ``+`` allowed · ``s`` not in this state · ``p`` not at this step position · ``r`` needs another
role than the step's (permission) · ``t`` no unassigned step to claim · ``d`` too late to extend.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from motcua.catalog.models import ProcessStep
from motcua.dossiers import rules
from motcua.dossiers.errors import DossierActionNotAllowed, DossierPermissionDenied
from motcua.dossiers.models import Dossier, DossierState, DossierStep
from motcua.dossiers.rules import Action
from motcua.dossiers.tests.factories import FIVE_STEPS, MONDAY_0900
from motcua.org.models import Role, Unit, UnitKind
from motcua.org.selectors import official_grants_attach

NOW = MONDAY_0900
PROCESS_ID = 50

# Column order of the table (abbreviations of DossierState).
STATES: dict[str, DossierState] = {
    "SUB": DossierState.SUBMITTED,
    "REF": DossierState.REFUSED,
    "ACC": DossierState.ACCEPTED,
    "PRO": DossierState.PROCESSING,
    "TRF": DossierState.TRANSFERRED,
    "SUP": DossierState.SUPPLEMENT_REQUESTED,
    "PAY": DossierState.AWAITING_PAYMENT,
    "WDR": DossierState.WITHDRAWN,
    "STP": DossierState.STOPPED,
    "RDY": DossierState.RESULT_READY,
    "RET": DossierState.RETURNED,
}
POSITIONS: dict[str, int | None] = {
    "first": 0,
    "before": 1,
    "decision": 2,
    "signing": 3,
    "return": 4,
    "none": None,
}

# Read a row as: this action, with the current step at this position, in each state.
TABLE = """
action              position  SUB REF ACC PRO TRF SUP PAY WDR STP RDY RET
accept              first     +   s   s   s   s   s   s   s   s   s   s
accept              before    r   s   s   s   s   s   s   s   s   s   s
accept              decision  r   s   s   s   s   s   s   s   s   s   s
accept              signing   r   s   s   s   s   s   s   s   s   s   s
accept              return    +   s   s   s   s   s   s   s   s   s   s
accept              none      +   s   s   s   s   s   s   s   s   s   s

refuse              first     +   s   s   s   s   s   s   s   s   s   s
refuse              before    r   s   s   s   s   s   s   s   s   s   s
refuse              decision  r   s   s   s   s   s   s   s   s   s   s
refuse              signing   r   s   s   s   s   s   s   s   s   s   s
refuse              return    +   s   s   s   s   s   s   s   s   s   s
refuse              none      +   s   s   s   s   s   s   s   s   s   s

claim               first     s   s   +   +   +   s   s   s   s   +   s
claim               before    s   s   +   +   +   s   s   s   s   +   s
claim               decision  s   s   +   +   +   s   s   s   s   +   s
claim               signing   s   s   +   +   +   s   s   s   s   +   s
claim               return    s   s   +   +   +   s   s   s   s   +   s
claim               none      s   s   t   t   t   s   s   s   s   t   s

reassign            first     s   s   r   r   r   r   r   s   s   r   s
reassign            before    s   s   r   r   r   r   r   s   s   r   s
reassign            decision  s   s   +   +   +   +   +   s   s   +   s
reassign            signing   s   s   r   r   r   r   r   s   s   r   s
reassign            return    s   s   r   r   r   r   r   s   s   r   s
reassign            none      s   s   p   p   p   p   p   s   s   p   s

forward             first     s   s   +   +   s   s   s   s   s   s   s
forward             before    s   s   +   +   s   s   s   s   s   s   s
forward             decision  s   s   p   p   s   s   s   s   s   s   s
forward             signing   s   s   p   p   s   s   s   s   s   s   s
forward             return    s   s   p   p   s   s   s   s   s   s   s
forward             none      s   s   p   p   s   s   s   s   s   s   s

send_back           first     s   s   p   p   s   s   s   s   s   s   s
send_back           before    s   s   +   +   s   s   s   s   s   s   s
send_back           decision  s   s   +   +   s   s   s   s   s   s   s
send_back           signing   s   s   +   +   s   s   s   s   s   s   s
send_back           return    s   s   p   p   s   s   s   s   s   s   s
send_back           none      s   s   p   p   s   s   s   s   s   s   s

transfer            first     s   s   p   p   s   s   s   s   s   s   s
transfer            before    s   s   +   +   s   s   s   s   s   s   s
transfer            decision  s   s   p   p   s   s   s   s   s   s   s
transfer            signing   s   s   p   p   s   s   s   s   s   s   s
transfer            return    s   s   p   p   s   s   s   s   s   s   s
transfer            none      s   s   p   p   s   s   s   s   s   s   s

transfer_back       first     s   s   s   s   +   s   s   s   s   s   s
transfer_back       before    s   s   s   s   +   s   s   s   s   s   s
transfer_back       decision  s   s   s   s   +   s   s   s   s   s   s
transfer_back       signing   s   s   s   s   +   s   s   s   s   s   s
transfer_back       return    s   s   s   s   +   s   s   s   s   s   s
transfer_back       none      s   s   s   s   r   s   s   s   s   s   s

request_supplement  first     s   s   +   +   s   s   s   s   s   s   s
request_supplement  before    s   s   +   +   s   s   s   s   s   s   s
request_supplement  decision  s   s   p   p   s   s   s   s   s   s   s
request_supplement  signing   s   s   p   p   s   s   s   s   s   s   s
request_supplement  return    s   s   p   p   s   s   s   s   s   s   s
request_supplement  none      s   s   p   p   s   s   s   s   s   s   s

receive_supplement  first     s   s   s   s   s   +   s   s   s   s   s
receive_supplement  before    s   s   s   s   s   +   s   s   s   s   s
receive_supplement  decision  s   s   s   s   s   +   s   s   s   s   s
receive_supplement  signing   s   s   s   s   s   +   s   s   s   s   s
receive_supplement  return    s   s   s   s   s   +   s   s   s   s   s
receive_supplement  none      s   s   s   s   s   +   s   s   s   s   s

request_payment     first     s   s   +   +   s   s   s   s   s   s   s
request_payment     before    s   s   +   +   s   s   s   s   s   s   s
request_payment     decision  s   s   +   +   s   s   s   s   s   s   s
request_payment     signing   s   s   p   p   s   s   s   s   s   s   s
request_payment     return    s   s   p   p   s   s   s   s   s   s   s
request_payment     none      s   s   p   p   s   s   s   s   s   s   s

record_payment      first     s   s   s   s   s   s   +   s   s   s   s
record_payment      before    s   s   s   s   s   s   +   s   s   s   s
record_payment      decision  s   s   s   s   s   s   +   s   s   s   s
record_payment      signing   s   s   s   s   s   s   +   s   s   s   s
record_payment      return    s   s   s   s   s   s   +   s   s   s   s
record_payment      none      s   s   s   s   s   s   +   s   s   s   s

approve             first     s   s   p   p   s   s   s   s   s   s   s
approve             before    s   s   p   p   s   s   s   s   s   s   s
approve             decision  s   s   +   +   s   s   s   s   s   s   s
approve             signing   s   s   p   p   s   s   s   s   s   s   s
approve             return    s   s   p   p   s   s   s   s   s   s   s
approve             none      s   s   p   p   s   s   s   s   s   s   s

reject              first     s   s   p   p   s   s   s   s   s   s   s
reject              before    s   s   p   p   s   s   s   s   s   s   s
reject              decision  s   s   +   +   s   s   s   s   s   s   s
reject              signing   s   s   p   p   s   s   s   s   s   s   s
reject              return    s   s   p   p   s   s   s   s   s   s   s
reject              none      s   s   p   p   s   s   s   s   s   s   s

record_signature    first     s   s   p   p   s   s   s   s   s   s   s
record_signature    before    s   s   p   p   s   s   s   s   s   s   s
record_signature    decision  s   s   p   p   s   s   s   s   s   s   s
record_signature    signing   s   s   +   +   s   s   s   s   s   s   s
record_signature    return    s   s   p   p   s   s   s   s   s   s   s
record_signature    none      s   s   p   p   s   s   s   s   s   s   s

mark_result_ready   first     s   s   p   p   s   s   s   s   s   s   s
mark_result_ready   before    s   s   p   p   s   s   s   s   s   s   s
mark_result_ready   decision  s   s   p   p   s   s   s   s   s   s   s
mark_result_ready   signing   s   s   +   +   s   s   s   s   s   s   s
mark_result_ready   return    s   s   p   p   s   s   s   s   s   s   s
mark_result_ready   none      s   s   p   p   s   s   s   s   s   s   s

return_result       first     s   s   s   s   s   s   s   s   s   +   s
return_result       before    s   s   s   s   s   s   s   s   s   +   s
return_result       decision  s   s   s   s   s   s   s   s   s   +   s
return_result       signing   s   s   s   s   s   s   s   s   s   +   s
return_result       return    s   s   s   s   s   s   s   s   s   +   s
return_result       none      s   s   s   s   s   s   s   s   s   r   s

withdraw            first     +   s   +   +   +   +   +   s   s   s   s
withdraw            before    r   s   r   r   r   r   r   s   s   s   s
withdraw            decision  r   s   r   r   r   r   r   s   s   s   s
withdraw            signing   r   s   r   r   r   r   r   s   s   s   s
withdraw            return    +   s   +   +   +   +   +   s   s   s   s
withdraw            none      +   s   +   +   +   +   +   s   s   s   s

stop                first     s   s   r   r   r   r   r   s   s   s   s
stop                before    s   s   r   r   r   r   r   s   s   s   s
stop                decision  s   s   +   +   +   +   +   s   s   s   s
stop                signing   s   s   r   r   r   r   r   s   s   s   s
stop                return    s   s   r   r   r   r   r   s   s   s   s
stop                none      s   s   r   r   r   r   r   s   s   s   s

extend              first     s   s   d   d   d   s   s   s   s   s   s
extend              before    s   s   d   d   d   s   s   s   s   s   s
extend              decision  s   s   d   d   d   s   s   s   s   s   s
extend              signing   s   s   d   d   d   s   s   s   s   s   s
extend              return    s   s   d   d   d   s   s   s   s   s   s
extend              none      s   s   d   d   d   s   s   s   s   s   s
"""


def _parse(table: str) -> dict[tuple[str, str, str], str]:
    lines = [line.split() for line in table.strip().splitlines() if line.strip()]
    header, rows = lines[0], lines[1:]
    assert header[2:] == list(STATES), "the column headers must be the states in STATES order"
    cells: dict[tuple[str, str, str], str] = {}
    for row in rows:
        action, position, *codes = row
        assert len(codes) == len(STATES), f"row {action} {position}: {len(codes)} cells"
        for state, code in zip(STATES, codes, strict=True):
            assert (action, position, state) not in cells, f"duplicate row {action} {position}"
            cells[(action, position, state)] = code
    return cells


EXPECTED = _parse(TABLE)

# Messages of ``DossierActionNotAllowed`` → their cell code (rules.state_error).
_REFUSAL_CODES = (
    ("khi hồ sơ đang ở trạng thái", "s"),
    ("của quy trình", "p"),
    ("đã có cán bộ được giao", "t"),
    ("trước hạn trả kết quả", "d"),
    ("Chưa ghi nhận chữ ký số", "u"),
)


@pytest.fixture(autouse=True)
def _no_queries() -> Iterator[None]:
    def refuse(*args: Any) -> None:
        raise AssertionError("the rule table test must not query the database")

    with connection.execute_wrapper(refuse):
        yield


def _units() -> tuple[Unit, Unit]:
    commune = Unit(
        pk=1,
        kind=UnitKind.COMMUNE_COMMITTEE,
        name="Ủy ban nhân dân phường Hạ Long",
        short_name="UBND phường Hạ Long",
        is_active=True,
    )
    centre = Unit(
        pk=2,
        kind=UnitKind.COMMUNE_CENTRE,
        name="Trung tâm Phục vụ hành chính công phường Hạ Long",
        short_name="TT PVHCC phường Hạ Long",
        parent=commune,
        is_active=True,
    )
    return commune, centre


def _process_steps() -> list[ProcessStep]:
    return [
        ProcessStep(
            pk=100 + order,
            process_id=PROCESS_ID,
            order=order,
            name=name,
            actor_unit_kind=kind,
            actor_role=role,
            duration_amount=Decimal(amount),
            duration_unit=unit,
        )
        for order, (name, kind, role, amount, unit) in enumerate(FIVE_STEPS, start=1)
    ]


def situation(state: DossierState, position: str, *, signed: bool | None = None) -> tuple[Any, Dossier]:
    """An official holding the current step's role and an unsaved dossier in ``state`` at ``position``."""
    commune, centre = _units()
    steps = _process_steps()
    index = POSITIONS[position]
    current: DossierStep | None = None
    if index is not None:
        process_step = steps[index]
        unit = centre if process_step.actor_unit_kind == UnitKind.COMMUNE_CENTRE else commune
        current = DossierStep(
            pk=500,
            seq=index + 1,
            process_step=process_step,
            name=process_step.name,
            unit=unit,
            role=process_step.actor_role,
            assignee=None,
            started_at=NOW - timedelta(days=1),
        )
    if signed is None:
        signed = position in ("signing", "return")
    dossier = Dossier(
        pk=900,
        code="H49.TEST-260302-0001",
        state=state,
        process_id=PROCESS_ID,
        receiving_unit=centre,
        competent_unit=commune,
        current_unit=current.unit if current is not None else centre,
        current_step=current,
        applicant_user=None,
        extended=False,
        signed_at=NOW - timedelta(hours=1) if signed else None,
        due_at=NOW - timedelta(hours=1),
    )
    rules.step_plan_attach(dossier, steps)
    official = get_user_model()(pk=7, username="can.bo", is_active=True)
    if current is not None:
        official_grants_attach(user=official, grants=[(current.unit, Role(current.role))])
    else:
        official_grants_attach(user=official, grants=[(centre, Role.RECEPTION)])
    return official, dossier


def outcome(action: Action, state: DossierState, position: str, *, signed: bool | None = None) -> str:
    """The cell code of what ``rules.check`` answers (and ``rules.allowed`` agrees)."""
    official, dossier = situation(state, position, signed=signed)
    refusal: Exception | None = None
    try:
        rules.check(action, user=official, dossier=dossier, now=NOW)
    except (DossierPermissionDenied, DossierActionNotAllowed) as error:
        refusal = error
    if refusal is None:
        code = "+"
    elif isinstance(refusal, DossierPermissionDenied):
        assert str(refusal) != rules.OUTSIDER_MESSAGE, "the official works in the dossier's units"
        code = "r"
    else:
        codes = [code for fragment, code in _REFUSAL_CODES if fragment in str(refusal)]
        assert len(codes) == 1, f"unclassified refusal: {refusal}"
        code = codes[0]
    assert rules.allowed(action, user=official, dossier=dossier, now=NOW) is (code == "+")
    return code


def test_the_table_covers_every_action_state_and_position() -> None:
    assert set(EXPECTED) == {
        (str(action), position, state) for action in Action for position in POSITIONS for state in STATES
    }
    assert set(STATES.values()) == set(DossierState)


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_rules_follow_the_table(action: Action) -> None:
    wrong = {
        (position, state): (EXPECTED[(str(action), position, state)], got)
        for position in POSITIONS
        for state, value in STATES.items()
        if (got := outcome(action, value, position)) != EXPECTED[(str(action), position, state)]
    }
    assert wrong == {}, "(position, state): (expected, rules say)"


def test_result_cannot_be_declared_ready_before_the_signature() -> None:
    assert outcome(Action.MARK_RESULT_READY, DossierState.PROCESSING, "signing", signed=False) == "u"
    assert outcome(Action.MARK_RESULT_READY, DossierState.PROCESSING, "signing", signed=True) == "+"


def test_a_query_fails_the_table_test() -> None:
    with pytest.raises((AssertionError, RuntimeError)):
        Unit.objects.count()


def test_the_process_has_the_positions_of_the_table() -> None:
    plan = rules.step_plan_build(_process_steps())
    assert (plan.decision_index, plan.last_index) == (POSITIONS["decision"], POSITIONS["return"])
    roles = [step.actor_role for step in _process_steps()]
    assert roles == [Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.CLERK, Role.RECEPTION]
