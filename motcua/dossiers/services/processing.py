"""Moving through the process — chuyển bước: claim, reassign, forward, send back, transfer, extension."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from motcua.accounts.models import Account
from motcua.dossiers import deadlines, event_data, rules
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import (
    Dossier,
    DossierState,
    DossierStep,
    StepStatus,
)
from motcua.dossiers.rules import Action
from motcua.dossiers.services.inputs import text_clean
from motcua.dossiers.services.recording import Actor, actor_name, transition, user_holds
from motcua.dossiers.services.steps import (
    assignee_check,
    handover,
    process_step_start,
    step_finish,
    step_start,
    step_unit_resolve,
)
from motcua.org.models import Role, Unit


def dossier_claim(*, actor: Actor, dossier: Dossier, row_version: int) -> Dossier:
    """Take a step left in the unit pool — nhận xử lý: the step and the dossier get ``actor`` as assignee."""
    with transition(Action.CLAIM, actor=actor, dossier=dossier, row_version=row_version) as t:
        d = t.dossier
        step = d.current_step
        assert step is not None  # rules: CLAIM needs a current step
        step.assignee = actor
        step.save(update_fields=["assignee"])
        d.current_assignee = actor
        t.record(unit=d.current_unit)
    return d


def dossier_reassign(
    *, actor: Actor, dossier: Dossier, row_version: int, assignee: Actor | None, reason: str
) -> Dossier:
    """Reassign the current step — phân công lại: a head of the step's unit gives it to another official.

    For a step held by someone who cannot do it (leave, illness, taken by mistake) or left in the unit
    pool. The new assignee must hold the step's role in its unit; the reason is kept in the audit log.
    The applicant sees units only, so nothing is sent to them or to DVCQG.
    """
    with transition(Action.REASSIGN, actor=actor, dossier=dossier, row_version=row_version) as t:
        d = t.dossier
        step = d.current_step
        assert step is not None  # rules: REASSIGN needs a current step
        reason = text_clean(reason, field="reason", label="lý do phân công lại")
        if assignee is None:
            raise DossierInvalid({"assignee": "Vui lòng chọn cán bộ được phân công."})
        assignee_check(assignee, unit=step.unit, role=step.role)
        if assignee.pk == step.assignee_id:
            raise DossierInvalid({"assignee": "Bước này đang được giao cho chính cán bộ này."})
        previous = step.assignee
        step.assignee = assignee
        step.save(update_fields=["assignee"])
        d.current_assignee = assignee
        t.record(
            unit=step.unit,
            reason=reason,
            data=event_data.reassigned(
                step=step.seq,
                from_name=actor_name(previous) if previous is not None else "",
                to_name=actor_name(assignee),
            ),
        )
    return d


def dossier_forward(
    *, actor: Actor, dossier: Dossier, row_version: int, assignee: Actor | None = None, note: str = ""
) -> Dossier:
    """Forward to the next step — chuyển bước: to a named official of its unit and role, or the unit pool."""
    with transition(Action.FORWARD, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        note = text_clean(note, field="note", label="ghi chú", required=False)
        unit, index = d.current_unit, rules.current_index(d)
        assert index is not None
        previous = d.current_step
        step_finish(previous, by=actor, now=now, note=note)
        step = process_step_start(d, index=index + 1, assignee=assignee, by=actor, now=now)
        t.record(
            unit=unit,
            to_state=DossierState.PROCESSING,
            reason=note,
            data=handover(previous, step),
        )
    return d


def dossier_send_back(
    *, actor: Actor, dossier: Dossier, row_version: int, reason: str, to_step_order: int | None = None
) -> Dossier:
    """Send back to a previous step — trả lại bước trước: a new step row; the old one stays as history.

    The previous handler of that step gets it again when they still hold the role; otherwise it goes to
    the unit pool. Going back to or before the decision step clears the decision and the signature.
    """
    with transition(Action.SEND_BACK, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        reason = text_clean(reason, field="reason", label="lý do trả lại")
        plan, index = rules.step_plan(d), rules.current_index(d)
        assert index is not None
        target = index - 1
        if to_step_order is not None:
            orders = [step.order for step in plan.steps]
            if to_step_order not in orders or orders.index(to_step_order) >= index:
                raise DossierInvalid({"to_step_order": "Chỉ được trả lại một bước đứng trước bước hiện tại."})
            target = orders.index(to_step_order)
        unit = d.current_unit
        previous = d.current_step
        step_finish(previous, by=actor, now=now, status=StepStatus.SENT_BACK, note=reason)
        process_step = plan.steps[target]
        step_unit = step_unit_resolve(dossier=d, process_step=process_step)
        last_handler = (
            DossierStep.objects.filter(dossier=d, process_step=process_step, finished_by__isnull=False)
            .order_by("-seq")
            .values_list("finished_by", flat=True)
            .first()
        )
        assignee = None
        if last_handler is not None:
            candidate = Account.objects.filter(pk=last_handler, is_active=True).first()
            if candidate is not None and user_holds(candidate, step_unit, process_step.actor_role):
                assignee = candidate
        step = step_start(
            d,
            process_step=process_step,
            unit=step_unit,
            role=process_step.actor_role,
            assignee=assignee,
            by=actor,
            now=now,
        )
        if target <= plan.decision_index:
            d.decision, d.decided_by = "", None
            d.signed_by, d.signed_at, d.signature_reference = None, None, ""
        t.record(
            unit=unit,
            to_state=DossierState.PROCESSING,
            reason=reason,
            data=handover(previous, step),
        )
    return d


def dossier_transfer(
    *,
    actor: Actor,
    dossier: Dossier,
    row_version: int,
    to_unit: Unit,
    reason: str,
    assignee: Actor | None = None,
    role: str = Role.SPECIALIST,
) -> Dossier:
    """Inter-agency transfer — chuyển xử lý liên thông: ``to_unit``'s officials act until they return it."""
    with transition(Action.TRANSFER, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        reason = text_clean(reason, field="reason", label="nội dung đề nghị phối hợp")
        if not to_unit.is_active or to_unit.pk == d.current_unit_id:
            raise DossierInvalid(
                {"to_unit": "Vui lòng chọn một đơn vị khác, đang hoạt động, để chuyển liên thông."}
            )
        if role not in Role.values:
            raise DossierInvalid({"role": "Vai trò xử lý liên thông không hợp lệ."})
        assignee_check(assignee, unit=to_unit, role=role)
        origin = d.current_unit
        previous = d.current_step
        step_finish(previous, by=actor, now=now, note=f"Chuyển liên thông: {reason}")
        step = step_start(
            d,
            process_step=None,
            unit=to_unit,
            role=role,
            assignee=assignee,
            by=actor,
            now=now,
            name=f"Xử lý liên thông tại {to_unit.short_name or to_unit.name}"[:200],
        )
        d.transfer_origin_unit = origin
        t.record(
            unit=origin,
            to_state=DossierState.TRANSFERRED,
            reason=reason,
            data=handover(previous, step),
        )
    return d


def dossier_transfer_back(*, actor: Actor, dossier: Dossier, row_version: int, note: str = "") -> Dossier:
    """Send a transferred dossier back — trả hồ sơ liên thông: to the step and official it came from."""
    with transition(Action.TRANSFER_BACK, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        note = text_clean(note, field="note", label="kết quả xử lý liên thông", required=False)
        unit = d.current_unit
        previous = d.current_step
        assert previous is not None
        resumed = (
            DossierStep.objects.filter(dossier=d, process_step__isnull=False)
            .select_related("process_step")
            .order_by("-seq")
            .first()
        )
        assert resumed is not None
        assert resumed.process_step is not None
        step_finish(previous, by=actor, now=now, note=note)
        process_step = resumed.process_step
        step_unit = step_unit_resolve(dossier=d, process_step=process_step)
        assignee = previous.handed_over_by
        if assignee is not None and not user_holds(assignee, step_unit, process_step.actor_role):
            assignee = None
        step = step_start(
            d,
            process_step=process_step,
            unit=step_unit,
            role=process_step.actor_role,
            assignee=assignee,
            by=actor,
            now=now,
        )
        d.transfer_origin_unit = None
        t.record(
            unit=unit,
            to_state=DossierState.PROCESSING,
            reason=note,
            data=handover(previous, step),
        )
    return d


def dossier_extend(
    *, actor: Actor, dossier: Dossier, row_version: int, new_due_at: datetime, reason: str
) -> Dossier:
    """Extend once with an apology — xin lỗi và hẹn lại ngày trả kết quả (form 04).

    Only while the clock runs, only once per dossier, only at least one working day before the current
    appointment, and only to a later appointment.
    """
    with transition(Action.EXTEND, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        reason = text_clean(reason, field="reason", label="lý do xin lỗi, hẹn lại")
        if new_due_at is None or timezone.is_naive(new_due_at):
            raise DossierInvalid({"new_due_at": "Vui lòng chọn ngày giờ hẹn trả mới."})
        assert d.due_at is not None  # rules: EXTEND needs a due time
        if new_due_at <= d.due_at:
            raise DossierInvalid(
                {
                    "new_due_at": "Ngày hẹn trả mới phải sau ngày hẹn hiện tại "
                    f"({deadlines.format_local(d.due_at)})."
                }
            )
        old_due = d.due_at
        d.original_due_at = d.original_due_at or old_due
        d.due_at = new_due_at
        d.extended = True
        d.extended_at = now
        d.extension_reason = reason
        t.record(
            unit=d.current_unit,
            reason=reason,
            data=event_data.extended(old_due_at=old_due, due_at=new_due_at),
        )
    return d
