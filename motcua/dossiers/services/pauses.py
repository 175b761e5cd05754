"""Clock stops — tạm dừng: supplement requests (bổ sung) and financial obligations (nghĩa vụ tài chính)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.catalog.fees import FeeStatus, vnd
from motcua.core.text import nfc
from motcua.dossiers import deadlines, event_data, rules
from motcua.dossiers.errors import DossierActionNotAllowed, DossierInvalid, DossierPermissionDenied
from motcua.dossiers.events import EventKind
from motcua.dossiers.models import (
    Dossier,
    DossierFee,
    DossierPause,
    DossierState,
    PauseReason,
    ProcedureDossierOptions,
)
from motcua.dossiers.rules import Action
from motcua.dossiers.services.components import components_create, uploads_removed_on_failure
from motcua.dossiers.services.inputs import ComponentData, FeeData, RequestedItem, text_clean
from motcua.dossiers.services.recording import Actor, dossier_lock, event_record, transition
from motcua.dossiers.services.steps import pause_open
from motcua.worktime import selectors as worktime


def _pause_start(
    d: Dossier, *, reason: str, note: str, items: list[dict[str, Any]], now: datetime
) -> DossierPause:
    step = d.current_step
    pause = DossierPause.objects.create(
        dossier=d,
        reason=reason,
        started_at=now,
        note=note,
        items=items,
        resume_state=d.state,
        remaining_us=deadlines.remaining_us(now=now, due=d.due_at),
        step_remaining_us=deadlines.remaining_us(now=now, due=step.due_at if step else None),
    )
    d.paused_at = now
    return pause


def _items_clean(items: Sequence[RequestedItem | str]) -> list[dict[str, Any]]:
    cleaned = []
    for item in items:
        name, note = (item, "") if isinstance(item, str) else (item.name, item.note)
        name = nfc(name)
        if name:
            cleaned.append({"name": name[:500], "note": nfc(note)[:1000]})
    if not cleaned:
        raise DossierInvalid({"items": "Vui lòng nêu ít nhất một giấy tờ, nội dung cần bổ sung."})
    return cleaned


def dossier_request_supplement(
    *, actor: Actor, dossier: Dossier, row_version: int, items: Sequence[RequestedItem | str], reason: str
) -> Dossier:
    """Request a supplement — yêu cầu bổ sung, hoàn thiện hồ sơ (form 02): status 5; the clock stops."""
    with transition(Action.REQUEST_SUPPLEMENT, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        reason = text_clean(reason, field="reason", label="lý do yêu cầu bổ sung")
        cleaned = _items_clean(items)
        _pause_start(d, reason=PauseReason.SUPPLEMENT, note=reason, items=cleaned, now=now)
        t.record(
            unit=d.current_unit,
            to_state=DossierState.SUPPLEMENT_REQUESTED,
            reason=reason,
            data=event_data.supplement_requested(items=cleaned),
        )
    return d


def _appointed_duration(d: Dossier) -> timedelta | None:
    """The working time the officer appointed at receipt, for a procedure without a processing time.

    The restart gives the complete dossier that full duration again, as the statutory time would.
    """
    if d.process_id is None or deadlines.budget_counted(d.process.total_amount, d.process.total_unit):
        return None
    if not d.appointment_reason or d.clock_started_at is None or d.original_due_at is None:
        return None
    return worktime.working_time_between(start=d.clock_started_at, end=d.original_due_at)


def _resume(d: Dossier, *, pause: DossierPause, now: datetime, restart: bool) -> dict[str, Any]:
    """Restart the clock after a pause; returns what changed for the event."""
    old_due = d.due_at
    step = d.current_step
    if restart:
        # docs/domain.md §6.6: the complete dossier restarts the count from zero with the full duration.
        appointed = _appointed_duration(d)
        d.clock_started_at = worktime.next_working_instant(now)
        if appointed is not None:
            d.due_at = worktime.add_working_duration(start=now, duration=appointed)
        else:
            d.due_at = deadlines.process_due(process=d.process, start=now)
        step_due = deadlines.step_due(step=step.process_step if step else None, start=now)
        d.original_due_at = d.due_at
    else:
        d.clock_started_at = d.clock_started_at or now
        d.due_at = deadlines.resume_due(start=now, remaining_us=pause.remaining_us)
        step_due = deadlines.resume_due(start=now, remaining_us=pause.step_remaining_us)
    if step is not None and step.finished_at is None:
        step.due_at = step_due
        step.save(update_fields=["due_at"])
    pause.ended_at = now
    pause.save(update_fields=["ended_at"])
    d.paused_at = None
    return event_data.resumed(restart=restart, old_due_at=old_due, due_at=d.due_at, step_due_at=step_due)


def dossier_receive_supplement(
    *,
    actor: Actor,
    dossier: Dossier,
    row_version: int,
    components: Sequence[ComponentData] = (),
    note: str = "",
) -> Dossier:
    """The supplement arrived — nhận hồ sơ bổ sung: back to processing, the clock runs again.

    By default the count restarts from zero with the full duration (docs/domain.md §6.6); a procedure with
    ``ProcedureDossierOptions.supplement_resumes_remaining`` resumes the time that was left instead.
    """
    with (
        uploads_removed_on_failure(),
        transition(Action.RECEIVE_SUPPLEMENT, actor=actor, dossier=dossier, row_version=row_version) as t,
    ):
        d, now = t.dossier, t.now
        note = text_clean(note, field="note", label="ghi chú", required=False)
        pause = pause_open(d)
        assert pause is not None  # SUPPLEMENT_REQUESTED always has its open pause
        options = ProcedureDossierOptions.objects.filter(procedure_id=d.procedure_id).first()
        restart = not (options and options.supplement_resumes_remaining)
        added = components_create(d, procedure=d.procedure, components=components, now=now, supplement=True)
        data = _resume(d, pause=pause, now=now, restart=restart)
        data["components"] = [component.name for component in added]
        t.record(
            unit=d.current_unit,
            to_state=pause.resume_state,
            reason=note,
            data=data,
        )
    return d


def dossier_request_payment(
    *, actor: Actor, dossier: Dossier, row_version: int, fees: Sequence[FeeData], reason: str = ""
) -> Dossier:
    """Financial obligation — yêu cầu thực hiện nghĩa vụ tài chính: status 6; the clock stops until paid."""
    with transition(Action.REQUEST_PAYMENT, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        reason = text_clean(reason, field="reason", label="nội dung", required=False)
        cleaned: list[tuple[str, int]] = []
        for fee in fees:
            name = nfc(fee.name)
            if not name or fee.amount_vnd <= 0:
                raise DossierInvalid({"fees": "Mỗi khoản nghĩa vụ tài chính cần tên và số tiền lớn hơn 0."})
            cleaned.append((name, int(fee.amount_vnd)))
        if not cleaned:
            raise DossierInvalid({"fees": "Vui lòng nêu ít nhất một khoản nghĩa vụ tài chính."})
        items = [{"name": name, "amount_vnd": amount} for name, amount in cleaned]
        DossierFee.objects.bulk_create(
            [DossierFee(dossier=d, name=name, amount_vnd=amount) for name, amount in cleaned]
        )
        d.fees_total += sum(amount for _, amount in cleaned)
        d.fees_paid = False
        # The obligation is now a known amount; the explanation keeps what the receipt said.
        if d.fee_status != FeeStatus.PARTIAL:
            d.fee_status = FeeStatus.DUE
        listed = "; ".join(f"{name}: {vnd(amount)}" for name, amount in cleaned)
        d.fee_explanation = f"{d.fee_explanation} Nghĩa vụ tài chính bổ sung: {listed}.".strip()
        _pause_start(d, reason=PauseReason.FINANCIAL, note=reason, items=items, now=now)
        t.record(
            unit=d.current_unit,
            to_state=DossierState.AWAITING_PAYMENT,
            reason=reason,
            data=event_data.payment_requested(fees=items),
        )
    return d


def dossier_record_payment(
    *, actor: Actor, dossier: Dossier, row_version: int, reference: str = ""
) -> Dossier:
    """Obligation fulfilled — đã thực hiện nghĩa vụ tài chính: back to processing.

    The time spent paying is not counted: the clock resumes with the working time left when it stopped.
    """
    with transition(Action.RECORD_PAYMENT, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        reference = text_clean(
            reference, field="reference", label="số biên lai", required=False, max_length=255
        )
        pause = pause_open(d)
        assert pause is not None
        d.fees.filter(paid_at__isnull=True).update(paid_at=now)
        d.fees_paid = True
        data = _resume(d, pause=pause, now=now, restart=False)
        data["reference"] = reference
        t.record(
            unit=d.current_unit,
            to_state=pause.resume_state,
            data=data,
        )
    return d


def dossier_fees_settle(
    *,
    actor: Actor | None,
    dossier: Dossier | int,
    fee_ids: Sequence[int],
    reference: str,
    method: str,
) -> Dossier:
    """Fees confirmed paid — xác nhận đã nộp phí, lệ phí — by a payment gateway or at the counter.

    ``actor`` None is the system acting on the gateway's server-to-server confirmation (the payments
    extension checked the signature and the amount); an official recording a counter payment needs
    the same roles as ``record_payment``. The lines ``fee_ids`` are marked paid. In status 6, once no
    line is left unpaid, it is the registry's ``record_payment`` (the clock resumes with the time it
    had left); otherwise (paid right after online submission, or some lines still open) a
    ``fees_paid`` event is recorded and the state does not change. Nothing left to pay on those lines
    → ``DossierActionNotAllowed`` and nothing is written.
    """
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    with transaction.atomic():
        # Lock first, then read the version under the lock: the system acts on whatever the dossier is now.
        version = (
            Dossier.objects.select_for_update().filter(pk=pk).values_list("row_version", flat=True).get()
        )
        d = dossier_lock(pk, row_version=version)
        now = timezone.now()
        if actor is not None:
            if not rules.can_view(actor, d):
                raise DossierPermissionDenied(rules.OUTSIDER_MESSAGE)
            message = rules.permission_error(Action.RECORD_PAYMENT, actor, d)
            if message:
                raise DossierPermissionDenied(message)
        if not d.is_open:
            raise DossierActionNotAllowed("Hồ sơ đã kết thúc xử lý; không thể ghi nhận nộp phí, lệ phí.")
        reference = text_clean(
            reference, field="reference", label="số biên lai", required=False, max_length=255
        )
        marked = d.fees.filter(pk__in=list(fee_ids), paid_at__isnull=True).update(paid_at=now)
        if not marked:
            raise DossierActionNotAllowed("Các khoản phí, lệ phí này đã được nộp hoặc không thuộc hồ sơ.")
        d.fees_paid = not d.fees.filter(paid_at__isnull=True).exists()
        data: dict[str, Any] = {"reference": reference, "method": method, "fees": sorted(fee_ids)}
        kind, to_state = EventKind.FEES_PAID, None
        pause = pause_open(d)
        if d.state == DossierState.AWAITING_PAYMENT and d.fees_paid and pause is not None:
            kind, to_state = EventKind.RECORD_PAYMENT, pause.resume_state
            data |= _resume(d, pause=pause, now=now, restart=False)
        event_record(d, kind=kind, actor=actor, unit=d.current_unit, now=now, to_state=to_state, data=data)
    return d
