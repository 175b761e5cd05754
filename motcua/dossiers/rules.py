"""The dossier state machine and who may act — quy tắc chuyển trạng thái và phân quyền xử lý hồ sơ.

One table drives both ``services`` (which raise on a refused action) and
``selectors.dossier_allowed_actions`` (which lists exactly what the UI may offer), so the two cannot
drift apart.

Steps. A dossier walks the ordered steps of its process version. Positions, with ``n`` steps:

* the **last** step is the return of the result (trả kết quả);
* the **decision step** (phê duyệt) is the last LEADER step before the last step, else the last
  DIVISION_HEAD step, else the step before the last; approve / reject happen there;
* steps between the decision step and the last one are signing/stamping steps (ký số, đóng dấu): the
  signature is recorded there and the result is declared ready from the one just before the return;
* steps before the decision step are forwarded (chuyển bước) one by one.

Step actor. A step row has a unit and a role (resolved by ``services.step_unit_resolve``); its actor is
an official holding that role in that unit (``org.selectors.official_has_role``, which also lets a
People's Committee role act in its own service centre) — the assignee when the step is assigned, any
such official when it is left to the unit pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext_noop

from motcua.accounts.models import Account, AccountKind, AccountOrAnonymous
from motcua.catalog.models import ProcessStep
from motcua.dossiers.deadlines import format_local
from motcua.dossiers.errors import DossierActionNotAllowed, DossierPermissionDenied
from motcua.dossiers.models import CLOCK_RUNNING_STATES, OPEN_STATES, Dossier, DossierState
from motcua.org.models import CASEWORK_ROLES, CENTRE_KINDS, Role, Unit, UnitKind
from motcua.org.selectors import official_has_role, official_roles
from motcua.worktime import selectors as worktime

# Who asks: an account, nobody signed in, or None (no one, e.g. the system): the last two hold no right.
Actor = AccountOrAnonymous | None


class Action(StrEnum):
    """Actions on an existing dossier (the values are what ``dossier_allowed_actions`` returns)."""

    ACCEPT = "accept"
    REFUSE = "refuse"
    CLAIM = "claim"
    REASSIGN = "reassign"
    FORWARD = "forward"
    SEND_BACK = "send_back"
    TRANSFER = "transfer"
    TRANSFER_BACK = "transfer_back"
    REQUEST_SUPPLEMENT = "request_supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    REQUEST_PAYMENT = "request_payment"
    RECORD_PAYMENT = "record_payment"
    APPROVE = "approve"
    REJECT = "reject"
    RECORD_SIGNATURE = "record_signature"
    MARK_RESULT_READY = "mark_result_ready"
    RETURN_RESULT = "return_result"
    WITHDRAW = "withdraw"
    STOP = "stop"
    EXTEND = "extend"


# State groups.
_WORKING = frozenset({DossierState.ACCEPTED, DossierState.PROCESSING})
# Every open state with a step: the step comes back to whoever holds it when the clock restarts.
_REASSIGNABLE = OPEN_STATES - {DossierState.SUBMITTED}
_WITHDRAWABLE = OPEN_STATES - {DossierState.RESULT_READY}
_STOPPABLE = _WITHDRAWABLE - {DossierState.SUBMITTED}
_EXTENDABLE = CLOCK_RUNNING_STATES


@dataclass(frozen=True)
class StepPlan:
    """The ordered steps of one process version and the positions that matter (see module docstring)."""

    steps: tuple[ProcessStep, ...]
    decision_index: int

    @property
    def last_index(self) -> int:
        return len(self.steps) - 1

    def index_of(self, process_step_id: int | None) -> int | None:
        for index, step in enumerate(self.steps):
            if step.pk == process_step_id:
                return index
        return None


class StepPerformer(StrEnum):
    """Which of a dossier's units performs a process step (``step_performer``)."""

    RECEIVING_CENTRE = "receiving_centre"
    PROVINCE_COMMITTEE = "province_committee"
    COMPETENT_UNIT = "competent_unit"


def step_performer(*, step_kind: str, competent_kind: str) -> StepPerformer:
    """The rule behind ``services.step_unit_resolve`` (and the simulator), without the database.

    Service-centre steps happen where the citizen came (the receiving centre); a provincial-committee
    step of a dossier decided elsewhere goes to UBND tỉnh; everything else to the competent unit.
    """
    if step_kind in CENTRE_KINDS:
        return StepPerformer.RECEIVING_CENTRE
    if step_kind == UnitKind.PROVINCE_COMMITTEE and competent_kind != UnitKind.PROVINCE_COMMITTEE:
        return StepPerformer.PROVINCE_COMMITTEE
    return StepPerformer.COMPETENT_UNIT


def decision_index(roles: Sequence[str]) -> int:
    """Index of the decision step among steps with these actor roles: the last leader's step before the
    return step, else the last division head's, else the step before the last."""
    last = len(roles) - 1
    for deciding in (Role.LEADER, Role.DIVISION_HEAD):
        candidates = [i for i, role in enumerate(roles[:last]) if role == deciding]
        if candidates:
            return candidates[-1]
    return max(last - 1, 0)


def step_plan_build(steps: list[ProcessStep]) -> StepPlan:
    return StepPlan(steps=tuple(steps), decision_index=decision_index([step.actor_role for step in steps]))


_PLAN_CACHE = "_motcua_step_plan"


def step_plan(dossier: Dossier) -> StepPlan:
    """Plan of the dossier's process version, fetched once per dossier object (one query)."""
    cached: StepPlan | None = getattr(dossier, _PLAN_CACHE, None)
    if cached is None or (cached.steps and cached.steps[0].process_id != dossier.process_id):
        cached = step_plan_build(
            list(ProcessStep.objects.filter(process_id=dossier.process_id).order_by("order"))
        )
        setattr(dossier, _PLAN_CACHE, cached)
    return cached


def step_plan_attach(dossier: Dossier, steps: Sequence[ProcessStep]) -> StepPlan:
    """Give an in-memory dossier the plan of steps already in hand, so that no rule reads them again
    (the database-free rule table test builds unsaved dossiers this way)."""
    plan = step_plan_build(list(steps))
    setattr(dossier, _PLAN_CACHE, plan)
    return plan


def current_index(dossier: Dossier) -> int | None:
    """Index of the current step in the plan; None before acceptance and for a liên thông step."""
    step = dossier.current_step
    if step is None:
        return None
    return step_plan(dossier).index_of(step.process_step_id)


# --------------------------------------------------------------------------------------------------
# Who
# --------------------------------------------------------------------------------------------------


def is_applicant(user: Actor, dossier: Dossier) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and dossier.applicant_user_id is not None
        and dossier.applicant_user_id == user.pk
    )


def has_role(user: Actor, unit: Unit | None, *roles: str) -> bool:
    return bool(
        unit is not None and user is not None and official_has_role(user=user, unit=unit, roles=roles)
    )


# The Django permission (on ``Dossier``) a service account needs to submit online.
SUBMIT_PERMISSION = "dossiers.submit_dossier"


def submit_error(user: Actor, receiving_unit: Unit) -> str:
    """Why ``user`` may not submit a dossier online to ``receiving_unit`` ("" when they may).

    Submitting creates a dossier, takes a code number and starts jobs, so it is not open to every
    signed-in account: citizens and organisations submit their own dossiers (the dossier is linked to
    their account), a reception official (tiếp nhận) submits at the counter of a unit where they hold
    that role, and a service account (an API client) only with the ``submit_dossier`` permission.
    Other officials — specialists, leaders, report viewers, administrators — only read or process.
    """
    if not isinstance(user, Account) or not user.is_authenticated:
        return "Vui lòng đăng nhập (VNeID) để nộp hồ sơ trực tuyến."
    if user.kind in (AccountKind.CITIZEN, AccountKind.ORGANISATION):
        return ""
    if user.kind == AccountKind.SERVICE:
        if user.has_perm(SUBMIT_PERMISSION):
            return ""
        return (
            "Tài khoản dịch vụ này chưa được cấp quyền nộp hồ sơ. Quản trị hệ thống cấp quyền "
            "«Được nộp hồ sơ trực tuyến qua API» cho tài khoản (trang quản trị, hoặc "
            "motcua create-token --can-submit)."
        )
    if has_role(user, receiving_unit, Role.RECEPTION):
        return ""
    return (
        f"Bạn không có quyền nộp hồ sơ tại {receiving_unit.name}: chỉ công dân, tổ chức, cán bộ tiếp "
        "nhận của đơn vị và tài khoản dịch vụ được cấp quyền mới được nộp hồ sơ."
    )


def _step_unit_and_role(dossier: Dossier) -> tuple[Unit | None, str]:
    step = dossier.current_step
    if step is None:
        return None, ""
    return step.unit, step.role


def is_step_actor(user: Actor, dossier: Dossier) -> bool:
    """Holds the current step's role in its unit and is its assignee (or it is in the unit pool)."""
    step = dossier.current_step
    if step is None or user is None or not has_role(user, step.unit, step.role):
        return False
    return step.assignee_id is None or step.assignee_id == user.pk


def in_dossier_units(user: Actor, dossier: Dossier) -> bool:
    """An official with any role in a unit the dossier belongs to or passed through."""
    if user is None or not user.is_authenticated:
        return False
    units = [dossier.receiving_unit, dossier.competent_unit, dossier.current_unit]
    if dossier.transfer_origin_unit_id:
        units.append(dossier.transfer_origin_unit)  # type: ignore[arg-type]
    return any(official_roles(user=user, unit=unit) for unit in units)


def can_view(user: Actor, dossier: Dossier) -> bool:
    """Applicant, or an official with any role in a unit the dossier belongs to or passed through."""
    return is_applicant(user, dossier) or in_dossier_units(user, dossier)


def dossier_unit_ids(dossier: Dossier) -> set[int]:
    """Ids of the units a dossier belongs to or passed through (those ``in_dossier_units`` looks at)."""
    ids = {dossier.receiving_unit_id, dossier.competent_unit_id, dossier.current_unit_id}
    if dossier.transfer_origin_unit_id:
        ids.add(dossier.transfer_origin_unit_id)
    return ids


def sees_personal_data(user: Actor, dossier: Dossier) -> bool:
    """Whether ``user`` may read the applicant's personal data and the dossier's content.

    The applicant, and officials holding a casework role (``org.models.CASEWORK_ROLES``) in one of the
    dossier's units. A report viewer or province admin reaches every unit but only oversees: counts and
    lists with the applicant's initials, nothing that identifies or contacts the applicant.
    """
    if is_applicant(user, dossier):
        return True
    if user is None or not user.is_authenticated:
        return False
    units = [dossier.receiving_unit, dossier.competent_unit, dossier.current_unit]
    if dossier.transfer_origin_unit_id:
        units.append(dossier.transfer_origin_unit)  # type: ignore[arg-type]
    return any(not official_roles(user=user, unit=unit).isdisjoint(CASEWORK_ROLES) for unit in units)


# Marked only: the API says it in Vietnamese; the back office's 403 page translates it.
PERSONAL_DATA_MESSAGE = gettext_noop(
    "Vai trò của bạn (xem báo cáo, quản trị) chỉ được xem số liệu và danh sách hồ sơ, không được xem "
    "nội dung hồ sơ, giấy tờ và thông tin cá nhân của người nộp."
)


def initials(name: str) -> str:
    """``Nguyễn Văn An`` → ``N. V. A.``: what an overseer (and a verified tracking page) shows of a name."""
    return " ".join(f"{part[0].upper()}." for part in name.split() if part)


# --------------------------------------------------------------------------------------------------
# What, when
# --------------------------------------------------------------------------------------------------


def _state_label(dossier: Dossier) -> str:
    return str(DossierState(dossier.state).label)


def _label(action: str) -> str:
    """The action's label, declared once in the registry (``dossiers.actions``).

    Imported on use: the registry names the services, which check their actions with these rules.
    """
    from motcua.dossiers.actions import action_label

    return action_label(action)


def _not_in_state(dossier: Dossier, action: str) -> str:
    label = _label(action)
    return f"Không thể thực hiện «{label}» khi hồ sơ đang ở trạng thái «{_state_label(dossier)}»."


def _not_at_step(dossier: Dossier, action: str) -> str:
    step = dossier.current_step
    where = f"bước «{step.name}»" if step is not None else "bước hiện tại"
    return f"Không thể thực hiện «{_label(action)}» ở {where} của quy trình."


def extension_deadline_error(dossier: Dossier, *, now: datetime) -> str | None:
    """The "at least one working day before the deadline" rule (docs/domain.md §6.7) as a message, or None."""
    if dossier.due_at is None:
        return "Hồ sơ không có hạn trả kết quả nên không cần gia hạn."
    day = timedelta(microseconds=worktime.get_schedule().day_length)
    if dossier.due_at <= now or worktime.working_time_between(start=now, end=dossier.due_at) < day:
        return (
            "Phiếu xin lỗi và hẹn lại ngày trả kết quả phải được lập chậm nhất 01 ngày làm việc trước hạn "
            f"trả kết quả ({format_local(dossier.due_at)}); hồ sơ này không còn đủ thời gian để gia hạn."
        )
    return None


# Who may give the current step to another official of its unit (Action.REASSIGN).
REASSIGNING_ROLES = (Role.DIVISION_HEAD, Role.LEADER, Role.SUPERVISOR)


def state_error(action: str, dossier: Dossier, *, now: datetime) -> str | None:
    """Why ``action`` is impossible in the dossier's state and step (None when it is possible)."""
    state = dossier.state
    plan = step_plan(dossier) if dossier.current_step_id else None
    index = current_index(dossier)
    decision = plan.decision_index if plan else -1
    last = plan.last_index if plan else -1

    if action in (Action.ACCEPT, Action.REFUSE):
        return None if state == DossierState.SUBMITTED else _not_in_state(dossier, action)
    if action == Action.CLAIM:
        if state not in (*_WORKING, DossierState.TRANSFERRED, DossierState.RESULT_READY):
            return _not_in_state(dossier, action)
        if dossier.current_step is None or dossier.current_step.assignee_id is not None:
            return "Bước hiện tại đã có cán bộ được giao xử lý."
        return None
    if action == Action.REASSIGN:
        # Also while the clock is stopped: the step comes back to whoever holds it when it restarts.
        if state not in _REASSIGNABLE:
            return _not_in_state(dossier, action)
        return None if dossier.current_step is not None else _not_at_step(dossier, action)
    if action == Action.TRANSFER_BACK:
        return None if state == DossierState.TRANSFERRED else _not_in_state(dossier, action)
    if action == Action.RECEIVE_SUPPLEMENT:
        return None if state == DossierState.SUPPLEMENT_REQUESTED else _not_in_state(dossier, action)
    if action == Action.RECORD_PAYMENT:
        return None if state == DossierState.AWAITING_PAYMENT else _not_in_state(dossier, action)
    if action == Action.RETURN_RESULT:
        return None if state == DossierState.RESULT_READY else _not_in_state(dossier, action)
    if action == Action.WITHDRAW:
        return None if state in _WITHDRAWABLE else _not_in_state(dossier, action)
    if action == Action.STOP:
        return None if state in _STOPPABLE else _not_in_state(dossier, action)
    if action == Action.EXTEND:
        if state not in _EXTENDABLE:
            return _not_in_state(dossier, action)
        if dossier.extended:
            return "Hồ sơ đã được gia hạn một lần; theo quy định chỉ được hẹn lại ngày trả kết quả một lần."
        return extension_deadline_error(dossier, now=now)

    # Step actions: the dossier is being worked on inside the process.
    if state not in _WORKING:
        return _not_in_state(dossier, action)
    if index is None:
        return _not_at_step(dossier, action)
    ok: bool
    if action == Action.FORWARD:
        ok = index < decision or decision < index < last - 1
    elif action == Action.SEND_BACK:
        ok = 0 < index < last
    elif action == Action.TRANSFER:
        ok = 0 < index < decision
    elif action == Action.REQUEST_SUPPLEMENT:
        ok = index < decision
    elif action == Action.REQUEST_PAYMENT:
        ok = index <= decision
    elif action in (Action.APPROVE, Action.REJECT):
        ok = index == decision
    elif action == Action.RECORD_SIGNATURE:
        ok = decision < index < last
    elif action == Action.MARK_RESULT_READY:
        ok = decision < index == last - 1
        if ok and dossier.signed_at is None:
            return "Chưa ghi nhận chữ ký số trên kết quả giải quyết; vui lòng ký số trước khi hoàn thành."
    else:  # pragma: no cover - every action is listed above
        raise ValueError(action)
    return None if ok else _not_at_step(dossier, action)


def permission_error(action: str, user: Actor, dossier: Dossier) -> str | None:
    """Why ``user`` may not take ``action`` on this dossier (None when they may)."""
    receiving = dossier.receiving_unit
    if action in (Action.ACCEPT, Action.REFUSE):
        if has_role(user, receiving, Role.RECEPTION):
            return None
        return f"Chỉ cán bộ tiếp nhận của {receiving.name} được tiếp nhận hoặc từ chối hồ sơ này."
    if action == Action.WITHDRAW:
        if is_applicant(user, dossier) or has_role(user, receiving, Role.RECEPTION):
            return None
        return "Chỉ người nộp hồ sơ hoặc cán bộ tiếp nhận (thay mặt công dân) được rút hồ sơ."
    if action == Action.STOP:
        if has_role(user, dossier.competent_unit, Role.LEADER):
            return None
        return f"Chỉ lãnh đạo {dossier.competent_unit.name} được quyết định dừng xử lý hồ sơ."
    if action == Action.RECEIVE_SUPPLEMENT:
        if (
            is_applicant(user, dossier)
            or has_role(user, receiving, Role.RECEPTION)
            or is_step_actor(user, dossier)
        ):
            return None
        return "Chỉ người nộp hồ sơ, cán bộ tiếp nhận hoặc cán bộ đang xử lý được nhận hồ sơ bổ sung."
    if action == Action.RECORD_PAYMENT:
        if has_role(user, receiving, Role.RECEPTION) or is_step_actor(user, dossier):
            return None
        return "Chỉ cán bộ tiếp nhận hoặc cán bộ đang xử lý được xác nhận việc thực hiện nghĩa vụ tài chính."
    if action == Action.EXTEND:
        if (
            is_step_actor(user, dossier)
            or has_role(user, dossier.current_unit, Role.LEADER)
            or has_role(user, dossier.competent_unit, Role.LEADER)
        ):
            return None
        return "Chỉ cán bộ đang xử lý hoặc lãnh đạo đơn vị được gia hạn, xin lỗi và hẹn lại ngày trả kết quả."
    if action == Action.CLAIM:
        unit, role = _step_unit_and_role(dossier)
        if has_role(user, unit, role):
            return None
        return _step_role_message(dossier)
    if action == Action.REASSIGN:
        # Phân công: the heads of the step's unit hand work out (an official on leave, a step taken by
        # mistake), whoever holds it now.
        unit = dossier.current_step.unit if dossier.current_step is not None else dossier.current_unit
        if has_role(user, unit, *REASSIGNING_ROLES):
            return None
        return f"Chỉ trưởng phòng, lãnh đạo hoặc giám sát của {unit.name} được phân công lại bước này."
    if action in (Action.RECORD_SIGNATURE, Action.MARK_RESULT_READY) and signer_error(user, dossier) is None:
        # The leader who signs (ký số) may record their own signature at the signing step and hand the
        # signed result on to its return, beside the step's actor (usually the clerk, văn thư).
        return None
    # Every other action belongs to the current step's actor.
    step = dossier.current_step
    if step is not None and user is not None and has_role(user, step.unit, step.role):
        if step.assignee_id is None or step.assignee_id == user.pk:
            return None
        return "Bước này đang được giao cho cán bộ khác xử lý."
    return _step_role_message(dossier)


def signer_error(user: Actor, dossier: Dossier) -> str | None:
    """Why ``user`` may not sign the result (None when they may): a leader (lãnh đạo, người ký) of the
    signing step's unit or of the competent unit — the signer ``dossier_record_signature`` accepts."""
    step_unit = dossier.current_step.unit if dossier.current_step is not None else dossier.current_unit
    if has_role(user, step_unit, Role.LEADER) or has_role(user, dossier.competent_unit, Role.LEADER):
        return None
    return f"Chỉ lãnh đạo của {dossier.competent_unit.name} được ký số kết quả giải quyết."


def _step_role_message(dossier: Dossier) -> str:
    step = dossier.current_step
    if step is None:
        return "Bạn không có quyền xử lý hồ sơ này."
    return (
        f"Bước «{step.name}» do {Role(step.role).label.lower()} của {step.unit.name} thực hiện; "
        "bạn không có vai trò này tại đơn vị."
    )


OUTSIDER_MESSAGE = "Bạn không có quyền với hồ sơ này: hồ sơ không thuộc đơn vị của bạn."


def check(action: str, *, user: Actor, dossier: Dossier, now: datetime) -> None:
    """Raise ``DossierPermissionDenied`` / ``DossierActionNotAllowed`` unless ``user`` may act now.

    Order: outsiders learn nothing (permission first), then the state, then the role, so an official
    of the right unit is told what is wrong with the dossier rather than with them.
    """
    if not can_view(user, dossier):
        raise DossierPermissionDenied(OUTSIDER_MESSAGE)
    message = state_error(action, dossier, now=now)
    if message:
        raise DossierActionNotAllowed(message)
    message = permission_error(action, user, dossier)
    if message:
        raise DossierPermissionDenied(message)


def allowed(action: str, *, user: Actor, dossier: Dossier, now: datetime) -> bool:
    return state_error(action, dossier, now=now) is None and permission_error(action, user, dossier) is None
