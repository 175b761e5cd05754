"""Receipt — tiếp nhận: online submission, receipt at the counter, accepting or refusing a submission.

Lock order step 1 (the per-unit, per-day code counter) is taken here only, while creating a dossier that
is not visible to anyone yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from motcua.accounts.identity_numbers import Identity, applicant_identity_clean
from motcua.accounts.models import Account, AccountOrAnonymous
from motcua.catalog.fees import FeeDue, FeeStatus, fee_case_refusal, fee_channel_of, fee_due
from motcua.catalog.models import Procedure, ProcessDefinition
from motcua.core.orm import prefetch_seed
from motcua.core.text import nfc
from motcua.dossiers import deadlines, event_data
from motcua.dossiers.codes import dossier_code_format
from motcua.dossiers.errors import DossierInvalid, DossierPermissionDenied
from motcua.dossiers.events import EventKind
from motcua.dossiers.models import (
    STATE_STATUS,
    ApplicantKind,
    Channel,
    Dossier,
    DossierCodeCounter,
    DossierFee,
    DossierState,
)
from motcua.dossiers.rules import Action, submit_error
from motcua.dossiers.selectors import dossier_route_competent_unit
from motcua.dossiers.services.components import (
    components_complete_check,
    components_create,
    uploads_removed_on_failure,
)
from motcua.dossiers.services.inputs import ApplicantData, ComponentData, errors_collected, text_clean
from motcua.dossiers.services.recording import Actor, event_record, transition, user_holds
from motcua.dossiers.services.steps import process_step_start
from motcua.org.models import Role, Unit
from motcua.worktime import selectors as worktime


def applicant_clean(applicant: ApplicantData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if applicant.kind not in ApplicantKind.values:
        errors["applicant_kind"] = "Loại người nộp không hợp lệ."
    # Names, ID numbers, tax codes, dates of birth, phones and e-mail: the one check of every channel.
    cleaned, identity_errors = applicant_identity_clean(
        Identity(
            organisation=applicant.kind == ApplicantKind.ORGANISATION,
            name=applicant.name,
            id_number=applicant.id_number,
            birth_date=applicant.birth_date,
            phone=applicant.phone,
            email=applicant.email,
            representative_name=applicant.representative_name,
            representative_id_number=applicant.representative_id_number,
            representative_phone=applicant.representative_phone,
        )
    )
    errors |= identity_errors
    if not cleaned.get("applicant_name") and "applicant_name" not in errors:
        errors["applicant_name"] = "Vui lòng nhập họ tên người nộp hồ sơ."
    if errors:
        raise DossierInvalid(errors)
    return {
        "applicant_kind": applicant.kind,
        "applicant_name": cleaned["applicant_name"][:255],
        "applicant_id_number": cleaned["applicant_id_number"],
        "applicant_birth_date": cleaned["applicant_birth_date"],
        "applicant_phone": cleaned["applicant_phone"],
        "applicant_email": cleaned["applicant_email"],
        "applicant_address": nfc(applicant.address or "")[:500],
        "representative_name": cleaned["representative_name"][:255],
        "representative_id_number": cleaned["representative_id_number"],
        "representative_phone": cleaned["representative_phone"],
    }


def _process_current(procedure: Procedure) -> ProcessDefinition:
    if not procedure.is_active:
        raise DossierInvalid({"procedure": f"Thủ tục {procedure.code} đã ngừng áp dụng."})
    # ``catalog.selectors.procedure_get`` / ``selectors.procedure_for_receipt`` prefetch the current
    # process with its steps: no query here then.
    prefetched: list[ProcessDefinition] | None = getattr(procedure, "current_processes", None)
    if prefetched is not None:
        process = prefetched[0] if prefetched else None
    else:
        process = ProcessDefinition.objects.filter(procedure=procedure, is_current=True).first()
    if process is None or process.steps.count() < 2:
        raise DossierInvalid(
            {
                "procedure": f"Thủ tục {procedure.code} chưa có quy trình nội bộ được phê duyệt; "
                "chưa thể tiếp nhận."
            }
        )
    return process


def process_has_deadline(process: ProcessDefinition) -> bool:
    """Whether the process's total gives a due time (the procedure publishes a processing time)."""
    return deadlines.budget_counted(process.total_amount, process.total_unit)


ONLINE_CLOSED_NO_TIME = (
    "Thủ tục {code} chưa được công bố thời hạn giải quyết nên chưa tiếp nhận hồ sơ trực tuyến: "
    "không thể hẹn ngày trả kết quả. Vui lòng nộp hồ sơ trực tiếp tại Bộ phận tiếp nhận và trả kết quả."
)


def _in_working_hours(local: datetime) -> bool:
    """Within a working period of the day, its end included (17:00 is a valid appointment)."""
    tod = (local.hour * 3600 + local.minute * 60 + local.second) * 1_000_000 + local.microsecond
    return any(begin <= tod <= end for begin, end in worktime.get_schedule().periods)


def _working_hours_text() -> str:
    def hhmm(us: int) -> str:
        minutes = us // 60_000_000
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return ", ".join(f"{hhmm(begin)}–{hhmm(end)}" for begin, end in worktime.get_schedule().periods)


# The latest appointment an officer may set. No published processing time comes near a year, so a date
# beyond it is a typing slip (2099 for 2026), and the working-time calendar is only published a year or
# so ahead.
APPOINTMENT_HORIZON = timedelta(days=365)


def appointment_clean(*, appointment_at: datetime | None, reason: str, now: datetime) -> tuple[datetime, str]:
    """The appointment the officer enters for a procedure without a processing time — ngày hẹn trả.

    It must be in the future, on a working day of the worktime calendar and within working hours; the
    reason (why this day) is required, as it stands in for the statutory time on form 01 and in the
    audit trail.
    """
    errors: dict[str, str] = {}
    if appointment_at is None:
        errors["appointment_at"] = (
            "Thủ tục chưa có thời hạn giải quyết: vui lòng nhập ngày giờ hẹn trả kết quả."
        )
    else:
        if timezone.is_naive(appointment_at):
            appointment_at = timezone.make_aware(appointment_at, deadlines.local_zone())
        local = appointment_at.astimezone(deadlines.local_zone())
        if appointment_at <= now:
            errors["appointment_at"] = "Ngày giờ hẹn trả kết quả phải sau thời điểm tiếp nhận."
        elif appointment_at > now + APPOINTMENT_HORIZON:
            latest = (now + APPOINTMENT_HORIZON).astimezone(deadlines.local_zone())
            errors["appointment_at"] = (
                f"Ngày hẹn trả quá xa: không được sau {latest:%d/%m/%Y} (một năm kể từ khi tiếp nhận)."
            )
        elif not worktime.is_working_day(local.date()):
            errors["appointment_at"] = (
                f"Ngày {local:%d/%m/%Y} không phải ngày làm việc: vui lòng hẹn trả vào ngày làm việc."
            )
        elif not _in_working_hours(local):
            errors["appointment_at"] = f"Giờ hẹn trả phải trong giờ làm việc ({_working_hours_text()})."
    with errors_collected(errors):
        reason = text_clean(reason, field="appointment_reason", label="lý do ấn định ngày hẹn trả")
    if errors:
        raise DossierInvalid(errors)
    assert appointment_at is not None
    return appointment_at.replace(microsecond=0), reason


def _code_next(*, unit: Unit, at: datetime) -> str:
    """Next ``<agency code>-<YYMMDD>-<NNNN>`` of ``unit`` (docs/domain.md §5.1), in the receipt transaction.

    One statement: ``INSERT … ON CONFLICT (unit, day) DO UPDATE SET last_number = last_number + 1
    RETURNING last_number`` (PostgreSQL; SQLite ≥ 3.35). It creates the day's row or increments it and
    keeps the row locked until the receipt commits, so concurrent receipts at one unit queue on it:
    numbers are unique and gap-free (a rolled-back receipt rolls its increment back too).
    """
    day = at.astimezone(deadlines.local_zone()).date()
    table = connection.ops.quote_name(DossierCodeCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, day, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (unit_id, day) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [unit.pk, connection.ops.adapt_datefield_value(day)],
        )
        (number,) = cursor.fetchone()
    return dossier_code_format(agency_code=unit.agency_code, day=day, number=int(number))


def dossier_fee_due(*, procedure: Procedure, channel: str, case: str = "") -> FeeDue:
    """The fee due for a dossier of ``procedure`` submitted through ``channel`` (a dossier ``Channel``)
    in ``case`` — the schedule's alternatives are chosen, never added (catalog.fees.fee_due).

    A ``case`` that is not one of the schedule's cases is refused (``DossierInvalid``), not ignored.
    """
    fees = list(procedure.fees.all())
    case = nfc(case or "").strip()
    if refusal := fee_case_refusal(fees, case):
        raise DossierInvalid({"fee_case": refusal})
    return fee_due(fees=fees, channel=fee_channel_of(channel), case=case)


def _fee_columns(due: FeeDue) -> dict[str, Any]:
    """The dossier's fee columns: a snapshot of the fee due, so a later edit of the schedule does not
    change what a received dossier owes."""
    return {
        "fees_total": due.total_vnd,
        # Paid only when nothing is owed for certain: an unpublished amount is not "nothing".
        "fees_paid": due.status == FeeStatus.FREE,
        "fee_status": due.status,
        "fee_explanation": due.explanation,
        "fee_case": due.case[:300],
    }


def _fees_create(d: Dossier, due: FeeDue) -> list[DossierFee]:
    fees = [
        DossierFee(dossier=d, name=line.name, amount_vnd=line.amount_vnd, explanation=line.explanation)
        for line in due.lines
        if line.amount_vnd is not None and line.amount_vnd > 0
    ]
    if fees:
        DossierFee.objects.bulk_create(fees)
    return fees


def _prefetched(d: Dossier, **related: Sequence[Any]) -> None:
    """Seed ``d``'s prefetch cache with rows it was just created with (``d.components.all()`` …).

    Only for a dossier this module has just inserted, whose related rows are exactly those: the DVCQG
    payload and the API's answer then read them without a query.
    """
    for name, rows in related.items():
        prefetch_seed(d, name, rows)


def clock_start(d: Dossier, *, now: datetime) -> None:
    """Receipt: the statutory time starts counting at the next working period (worktime)."""
    d.received_at = now
    d.clock_started_at = worktime.next_working_instant(now)
    d.due_at = deadlines.process_due(process=d.process, start=now)
    d.original_due_at = d.due_at


@dataclass(frozen=True)
class _Receipt:
    """What both receipts (online, counter) check before their transaction, and insert inside it."""

    procedure: Procedure
    process: ProcessDefinition
    receiving_unit: Unit
    competent: Unit
    channel: str
    applicant: dict[str, Any]
    summary: str
    components: Sequence[ComponentData]
    fee: FeeDue


def _receipt_prepare(
    *,
    procedure: Procedure,
    receiving_unit: Unit,
    applicant: ApplicantData,
    summary: str,
    chosen_unit: Unit | None,
    channel: str,
    components: Sequence[ComponentData],
    fee_case: str = "",
) -> _Receipt:
    """Validate and route a receipt (no write): applicant, summary, components, process, competent unit,
    fee due.

    Applicant and component errors are reported together, so the officer corrects everything at once.
    """
    if not procedure.applies_here:
        raise DossierInvalid(
            {"procedure": f"Thủ tục {procedure.code} không áp dụng tại Quảng Ninh; không tiếp nhận hồ sơ."}
        )
    electronic = channel in (Channel.ONLINE, Channel.DVCQG)
    process = _process_current(procedure)
    if electronic and not process_has_deadline(process):
        raise DossierInvalid({"procedure": ONLINE_CLOSED_NO_TIME.format(code=procedure.code)})
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    with errors_collected(errors):
        cleaned = applicant_clean(applicant)
    with errors_collected(errors):
        components_complete_check(procedure, components, electronic=electronic)
    if errors:
        raise DossierInvalid(errors)
    return _Receipt(
        procedure=procedure,
        applicant=cleaned,
        summary=text_clean(summary, field="summary", label="trích yếu", required=False),
        process=process,
        receiving_unit=receiving_unit,
        competent=dossier_route_competent_unit(
            procedure=procedure, receiving_unit=receiving_unit, chosen_unit=chosen_unit
        ),
        channel=channel,
        components=components,
        fee=dossier_fee_due(procedure=procedure, channel=channel, case=fee_case),
    )


def _receipt_insert(
    receipt: _Receipt,
    *,
    state: str,
    applicant_user: Actor | None,
    now: datetime,
    idempotency_key: str | None = None,
) -> Dossier:
    """Insert the dossier (next code of the receiving unit), its components and catalogue fees.

    The state itself is applied by the caller's ``event_record`` (the event's from → to); the status is set
    here so the row never holds an invalid one.
    """
    procedure, unit = receipt.procedure, receipt.receiving_unit
    d = Dossier.objects.create(
        code=_code_next(unit=unit, at=now),
        procedure=procedure,
        procedure_version=procedure.version,
        process=receipt.process,
        channel=receipt.channel,
        applicant_user=applicant_user,
        receiving_unit=unit,
        competent_unit=receipt.competent,
        current_unit=unit,
        state="",
        status=STATE_STATUS[state],
        submitted_at=now,
        summary=receipt.summary,
        idempotency_key=idempotency_key,
        **receipt.applicant,
        **_fee_columns(receipt.fee),
    )
    created = components_create(
        d, procedure=procedure, components=receipt.components, now=now, supplement=False
    )
    fees = _fees_create(d, receipt.fee)
    _prefetched(d, components=created, fees=fees, pauses=[])
    return d


def dossier_submit_online(
    *,
    applicant_user: AccountOrAnonymous | None,
    procedure: Procedure,
    receiving_unit: Unit,
    applicant: ApplicantData,
    idempotency_key: str,
    components: Sequence[ComponentData] = (),
    chosen_unit: Unit | None = None,
    summary: str = "",
    channel: str = Channel.ONLINE,
    known_new: bool = False,
    fee_case: str = "",
) -> Dossier:
    """Online submission — nộp hồ sơ trực tuyến: status 1 (Mới đăng ký), waiting for reception.

    ``idempotency_key`` (the HTTP Idempotency-Key) is scoped to the applicant: a retry with the same key
    returns the dossier of the first call and creates nothing — no second dossier, code or event.
    ``known_new``: the caller resolves a reused key itself (the API, with its own record of the key):
    no up-front lookup and no savepoint — a reused key fails the unique ``idempotency_key`` INSERT and
    the ``IntegrityError`` rolls the caller's whole transaction back (the code counter's increment
    with it). Without it, the dossier already submitted with the key is returned. ``fee_case``: the
    applicant's case where the fee schedule has alternatives per case (the first case otherwise).
    """
    refusal = submit_error(applicant_user, receiving_unit)
    if refusal or not isinstance(applicant_user, Account):  # checked before anything is created
        raise DossierPermissionDenied(refusal)
    if channel not in (Channel.ONLINE, Channel.DVCQG):
        raise DossierInvalid({"channel": "Kênh nộp trực tuyến không hợp lệ."})
    key = (idempotency_key or "").strip()
    if not key or len(key) > 80:
        raise DossierInvalid({"idempotency_key": "Thiếu hoặc sai khóa chống gửi trùng (Idempotency-Key)."})
    scoped_key = f"u{applicant_user.pk}:{key}"
    if not known_new:
        existing = Dossier.objects.filter(idempotency_key=scoped_key).first()
        if existing is not None:
            return existing
    receipt = _receipt_prepare(
        procedure=procedure,
        receiving_unit=receiving_unit,
        applicant=applicant,
        summary=summary,
        chosen_unit=chosen_unit,
        channel=channel,
        components=components,
        fee_case=fee_case,
    )
    try:
        # A savepoint only when we recover from a duplicate key here: on PostgreSQL a failed INSERT
        # poisons the transaction, and the lookup below must run in a healthy one.
        with uploads_removed_on_failure(), transaction.atomic(savepoint=not known_new):
            now = timezone.now()
            # A concurrent retry that committed while we queued on the counter lock makes the INSERT
            # fail on the unique idempotency_key: handled after the block (it wins).
            d = _receipt_insert(
                receipt,
                state=DossierState.SUBMITTED,
                applicant_user=applicant_user,
                idempotency_key=scoped_key,
                now=now,
            )
            event_record(
                d,
                kind=EventKind.SUBMIT,
                actor=applicant_user,
                unit=receiving_unit,
                now=now,
                to_state=DossierState.SUBMITTED,
                data=event_data.submitted(channel=channel, competent_unit=receipt.competent.agency_code),
                changed_fields=(),
            )
            return d
    except IntegrityError:
        if known_new:
            raise
        # Same key inserted by a concurrent request between our check and our insert (PostgreSQL
        # waited for it to commit): return the winner rather than a second dossier.
        existing = Dossier.objects.filter(idempotency_key=scoped_key).first()
        if existing is None:
            raise
        return existing


def dossier_receive(
    *,
    actor: Actor,
    receiving_unit: Unit,
    procedure: Procedure,
    applicant: ApplicantData,
    channel: str = Channel.COUNTER,
    components: Sequence[ComponentData] = (),
    chosen_unit: Unit | None = None,
    summary: str = "",
    applicant_user: Actor | None = None,
    appointment_at: datetime | None = None,
    appointment_reason: str = "",
    fee_case: str = "",
) -> Dossier:
    """Receipt at the counter (also kiosk, postal) — tiếp nhận trực tiếp: the dossier is accepted at once.

    Status 2 (Được tiếp nhận), the clock starts, step 1 (Tiếp nhận) is active with the reception
    officer; components are checked off against the catalogue's documents, fees come from the
    catalogue. Form 01 (receipt and appointment) is rendered from the dossier by ``documents``.
    ``applicant_user``: the citizen's account when known (VNeID at the kiosk), so they can track and
    withdraw it online.

    A dossier missing a required component is not received (``DossierInvalid`` naming each one): the
    officer guides the applicant with form 02 or refuses with form 03 (``intake_notice_issue``).
    For a procedure without a processing time the officer sets the appointment (``appointment_at``, a
    future working day) with ``appointment_reason``; it is the dossier's due time, recorded in the
    receipt event. For any other procedure the due time is computed and an appointment is refused.
    ``fee_case``: the case of the fee schedule the officer chose where the schedule
    has alternatives per case (``catalog.fees.fee_cases``); the first case otherwise.
    """
    if channel not in (Channel.COUNTER, Channel.KIOSK, Channel.POSTAL):
        raise DossierInvalid({"channel": "Kênh tiếp nhận trực tiếp không hợp lệ."})
    if not user_holds(actor, receiving_unit, Role.RECEPTION):
        raise DossierPermissionDenied(
            f"Chỉ cán bộ tiếp nhận của {receiving_unit.name} được tiếp nhận hồ sơ tại đây."
        )
    receipt = _receipt_prepare(
        procedure=procedure,
        receiving_unit=receiving_unit,
        applicant=applicant,
        summary=summary,
        chosen_unit=chosen_unit,
        channel=channel,
        components=components,
        fee_case=fee_case,
    )
    appointment: tuple[datetime, str] | None = None
    if not process_has_deadline(receipt.process):
        appointment = appointment_clean(
            appointment_at=appointment_at, reason=appointment_reason, now=timezone.now()
        )
    elif appointment_at is not None or (appointment_reason or "").strip():
        raise DossierInvalid(
            {
                "appointment_at": "Thủ tục đã có thời hạn giải quyết: ngày hẹn trả do hệ thống tính theo "
                "lịch làm việc, không nhập tay."
            }
        )
    with uploads_removed_on_failure(), transaction.atomic():
        now = timezone.now()
        d = _receipt_insert(
            receipt,
            state=DossierState.ACCEPTED,
            applicant_user=applicant_user
            if applicant_user is not None and applicant_user.is_authenticated
            else None,
            now=now,
        )
        clock_start(d, now=now)
        if appointment is not None:
            # The officer's appointment stands in for the unpublished statutory time.
            d.due_at = d.original_due_at = appointment[0]
            d.appointment_reason = appointment[1]
        process_step_start(d, index=0, assignee=actor, by=actor, now=now)
        event_record(
            d,
            kind=EventKind.RECEIVE,
            actor=actor,
            unit=receiving_unit,
            now=now,
            to_state=DossierState.ACCEPTED,
            data=event_data.received(
                channel=channel,
                competent_unit=receipt.competent.agency_code,
                due_at=d.due_at,
                appointment_reason=d.appointment_reason,
            ),
        )
    return d


def dossier_accept(*, actor: Actor, dossier: Dossier, row_version: int) -> Dossier:
    """Accept an online dossier — tiếp nhận hồ sơ trực tuyến: status 2; the clock starts counting."""
    with transition(Action.ACCEPT, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        unit = d.current_unit
        clock_start(d, now=now)
        process_step_start(d, index=0, assignee=actor, by=actor, now=now)
        t.record(
            unit=unit,
            to_state=DossierState.ACCEPTED,
            data=event_data.accepted(due_at=d.due_at),
        )
    return d


def dossier_refuse(*, actor: Actor, dossier: Dossier, row_version: int, reason: str) -> Dossier:
    """Refuse receipt — từ chối tiếp nhận: status 3, with the reason printed on form 03."""
    with transition(Action.REFUSE, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        reason = text_clean(reason, field="reason", label="lý do từ chối")
        d.state_reason = reason
        d.finished_at = now
        d.current_assignee = None
        t.record(
            unit=d.current_unit,
            to_state=DossierState.REFUSED,
            reason=reason,
            data=event_data.refused(),
        )
    return d
