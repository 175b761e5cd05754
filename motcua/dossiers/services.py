"""Writes of the dossier engine — tiếp nhận và xử lý hồ sơ. Every state change goes through here.

Each transition is one function, ``dossier_<verb>(*, actor, dossier, row_version, …)``, that:

1. opens the transaction (the outermost write owns it; nested calls become savepoints);
2. locks the dossier row and compares ``row_version`` with the version the official saw — a mismatch
   raises ``DossierConflict`` ("Hồ sơ đã được người khác cập nhật…");
3. asks ``rules.check`` whether this actor may take this action in this state and step — refused
   actions raise ``DossierActionNotAllowed`` / ``DossierPermissionDenied`` before anything is written;
4. validates its input (``DossierInvalid``), changes the dossier, its steps, pauses and due times;
5. appends a hash-chained ``DossierEvent`` and enqueues its outgoing jobs (applicant notification,
   ``dvcqg.sync``) with ``job_enqueue_many`` — all in that one transaction (transactional outbox).

Lock order, for every function in this module (keep it when adding one):

1. ``DossierCodeCounter`` (unit, day) — only while creating a dossier, which is not visible yet;
2. the ``Dossier`` row (SELECT … FOR UPDATE) — before reading or writing anything that hangs off it;
3. its steps, pauses, components, fees and events are never locked themselves: every writer of them
   holds the dossier row first, so the dossier lock serialises them;
4. ``jobs.Job`` rows are only inserted (unique idempotency key), never locked here.

No transaction here locks two dossiers; one that must would lock them in ascending ``id`` order.
On SQLite ``select_for_update`` is a no-op, but the IMMEDIATE transaction mode (settings) takes the
database write lock at BEGIN, which serialises writers just as strictly.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import Storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from motcua.catalog.models import Procedure, ProcedureDocument, ProcessDefinition, ProcessStep
from motcua.core.text import nfc
from motcua.dossiers import deadlines, rules
from motcua.dossiers.audit import event_hash, json_normalise
from motcua.dossiers.dvcqg import dong_bo_ho_so_payload
from motcua.dossiers.errors import (
    DossierActionNotAllowed,
    DossierConflict,
    DossierError,
    DossierInvalid,
    DossierPermissionDenied,
)
from motcua.dossiers.models import (
    OPEN_STATES,
    STATE_STATUS,
    ApplicantKind,
    Channel,
    Decision,
    Dossier,
    DossierCodeCounter,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DossierPause,
    DossierState,
    DossierStep,
    PauseReason,
    ProcedureDossierOptions,
    StepStatus,
)
from motcua.dossiers.rules import Action
from motcua.dossiers.selectors import DOSSIER_RELATED, dossier_route_competent_unit, prefetch_seed
from motcua.jobs.services import JobRequest, job_enqueue_many
from motcua.org.models import Role, Unit, UnitKind
from motcua.org.selectors import official_display_name
from motcua.worktime import selectors as worktime

__all__ = [
    "ApplicantData",
    "ComponentData",
    "DossierActionNotAllowed",
    "DossierConflict",
    "DossierError",
    "DossierInvalid",
    "DossierPermissionDenied",
    "FeeData",
    "RequestedItem",
    "dossier_accept",
    "dossier_approve",
    "dossier_claim",
    "dossier_extend",
    "dossier_forward",
    "dossier_mark_result_ready",
    "dossier_receive",
    "dossier_receive_supplement",
    "dossier_record_payment",
    "dossier_record_signature",
    "dossier_refuse",
    "dossier_reject",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_return_result",
    "dossier_send_back",
    "dossier_stop",
    "dossier_submit_online",
    "dossier_transfer",
    "dossier_transfer_back",
    "dossier_withdraw",
    "step_unit_resolve",
]

logger = logging.getLogger(__name__)

User = AbstractBaseUser

NOTIFY_JOB = "dossier.notify_applicant"
DVCQG_SYNC_JOB = "dvcqg.sync"
MAX_REASON = 2000


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantData:
    """Applicant — người nộp / chủ hồ sơ, and an optional representative (người được ủy quyền)."""

    name: str
    kind: str = ApplicantKind.PERSON
    id_number: str = ""
    birth_date: date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    representative_name: str = ""
    representative_id_number: str = ""
    representative_phone: str = ""


@dataclass(frozen=True)
class ComponentData:
    """One component — thành phần hồ sơ: a catalogue document (``document_id``) or an extra one (``name``)."""

    document_id: int | None = None
    name: str = ""
    paper_presented: bool = False
    file: File | None = None


@dataclass(frozen=True)
class RequestedItem:
    """An item the applicant must supply (bổ sung) — a document name and what is wrong with it."""

    name: str
    note: str = ""


@dataclass(frozen=True)
class FeeData:
    """An amount to pay — phí, lệ phí, nghĩa vụ tài chính."""

    name: str
    amount_vnd: int


# --------------------------------------------------------------------------------------------------
# Helpers: validation
# --------------------------------------------------------------------------------------------------


def _text(value: str, *, field: str, label: str, required: bool = True, max_length: int = MAX_REASON) -> str:
    cleaned = nfc(value or "")
    if required and not cleaned:
        raise DossierInvalid({field: f"Vui lòng nhập {label}."})
    if len(cleaned) > max_length:
        raise DossierInvalid({field: f"{label.capitalize()} dài quá {max_length} ký tự."})
    return cleaned


def _applicant_clean(applicant: ApplicantData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = nfc(applicant.name or "")
    if not name:
        errors["applicant_name"] = "Vui lòng nhập họ tên người nộp hồ sơ."
    if applicant.kind not in ApplicantKind.values:
        errors["applicant_kind"] = "Loại người nộp không hợp lệ."
    id_number = (applicant.id_number or "").strip()
    if id_number and not (id_number.isdigit() and 9 <= len(id_number) <= 13):
        errors["applicant_id_number"] = "Số định danh / mã số doanh nghiệp phải gồm 9 đến 13 chữ số."
    phone = "".join(ch for ch in (applicant.phone or "") if ch.isdigit() or ch == "+")
    if applicant.phone and not (8 <= len(phone.lstrip("+")) <= 15):
        errors["applicant_phone"] = "Số điện thoại không hợp lệ."
    if errors:
        raise DossierInvalid(errors)
    return {
        "applicant_kind": applicant.kind,
        "applicant_name": name[:255],
        "applicant_id_number": id_number,
        "applicant_birth_date": applicant.birth_date,
        "applicant_phone": phone,
        "applicant_email": (applicant.email or "").strip(),
        "applicant_address": nfc(applicant.address or "")[:500],
        "representative_name": nfc(applicant.representative_name or "")[:255],
        "representative_id_number": (applicant.representative_id_number or "").strip(),
        "representative_phone": (applicant.representative_phone or "").strip(),
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


def _user_holds(user: Any, unit: Unit, role: str) -> bool:
    return rules.has_role(user, unit, role)


# --------------------------------------------------------------------------------------------------
# Helpers: code, lock, steps, events, jobs
# --------------------------------------------------------------------------------------------------


def _code_next(*, unit: Unit, at: datetime) -> str:
    """Next ``<agency code>-<YYMMDD>-<NNNN>`` of ``unit`` (DESIGN §5); call inside the receipt transaction.

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
    return f"{unit.agency_code}-{day:%y%m%d}-{int(number):04d}"


def _lock(dossier: Dossier | int, *, row_version: int) -> Dossier:
    """Lock the dossier row (lock order step 2) and check the version the official acted on."""
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    # Lock with a join-free query, then read with joins. One locking query with joins would be wrong on
    # PostgreSQL: when it waits for a concurrent writer, it re-checks the *new* dossier row against the
    # *old* joined rows (EvalPlanQual) — current_unit/current_step changed, the join fails, and the
    # dossier seems not to exist. The read after the lock is a new statement, so it sees the commit.
    Dossier.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()
    locked = Dossier.objects.select_related(*DOSSIER_RELATED).get(pk=pk)
    if locked.row_version != row_version:
        raise DossierConflict(current_version=locked.row_version)
    return locked


def _actor_name(user: Any) -> str:
    return "Hệ thống" if user is None else official_display_name(user)


def step_unit_resolve(*, dossier: Dossier, process_step: ProcessStep) -> Unit:
    """The unit that performs ``process_step`` for this dossier.

    Service-centre kinds (PROVINCE_CENTRE, COMMUNE_CENTRE) resolve to the centre that received the
    dossier — reception and return happen where the citizen came, whatever the procedure's level.
    A PROVINCE_COMMITTEE step resolves to the provincial People's Committee (a department's procedure
    decided by UBND tỉnh). Every other kind — COMMUNE_COMMITTEE, DEPARTMENT — resolves to the
    dossier's competent unit (``selectors.dossier_route_competent_unit``).
    """
    performer = rules.step_performer(
        step_kind=process_step.actor_unit_kind, competent_kind=dossier.competent_unit.kind
    )
    if performer == rules.StepPerformer.RECEIVING_CENTRE:
        return dossier.receiving_unit
    if performer == rules.StepPerformer.PROVINCE_COMMITTEE:
        province = (
            Unit.objects.filter(kind=UnitKind.PROVINCE_COMMITTEE, is_active=True).order_by("pk").first()
        )
        if province is not None:
            return province
    return dossier.competent_unit


def _assignee_check(assignee: Any, *, unit: Unit, role: str) -> None:
    if assignee is not None and not _user_holds(assignee, unit, role):
        raise DossierInvalid(
            {"assignee": f"Cán bộ được chọn không có vai trò {Role(role).label.lower()} tại {unit.name}."}
        )


def _step_start(
    d: Dossier,
    *,
    process_step: ProcessStep | None,
    unit: Unit,
    role: str,
    assignee: Any,
    by: Any,
    now: datetime,
    name: str = "",
) -> DossierStep:
    """Open the next step row (a new row per pass: history is never rewritten); point the dossier at it."""
    seq = d.current_step.seq + 1 if d.current_step is not None else 1
    step = DossierStep.objects.create(
        dossier=d,
        seq=seq,
        process_step=process_step,
        name=name or (process_step.name if process_step else ""),
        unit=unit,
        role=role,
        assignee=assignee,
        handed_over_by=by,
        started_at=now,
        due_at=deadlines.step_due(step=process_step, start=now),
    )
    d.current_step = step
    d.current_unit = unit
    d.current_assignee = assignee
    return step


def _step_finish(
    step: DossierStep | None, *, by: Any, now: datetime, status: str = StepStatus.DONE, note: str = ""
) -> None:
    if step is None or step.finished_at is not None:
        return
    step.finished_at = now
    step.finished_by = by
    step.status = status
    step.outcome = (
        "" if status == StepStatus.CANCELLED else deadlines.outcome(finished_at=now, due_at=step.due_at)
    )
    if note:
        step.note = note
    step.save(update_fields=["finished_at", "finished_by", "status", "outcome", "note"])


def _process_step_start(d: Dossier, *, index: int, assignee: Any, by: Any, now: datetime) -> DossierStep:
    process_step = rules.step_plan(d).steps[index]
    unit = step_unit_resolve(dossier=d, process_step=process_step)
    _assignee_check(assignee, unit=unit, role=process_step.actor_role)
    return _step_start(
        d,
        process_step=process_step,
        unit=unit,
        role=process_step.actor_role,
        assignee=assignee,
        by=by,
        now=now,
    )


_RECORD_FIELDS = ("state", "status", "is_open", "row_version", "event_count", "last_event_hash")


def _record(
    d: Dossier,
    *,
    action: str,
    actor: Any,
    unit: Unit | None,
    now: datetime,
    to_state: str | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    notify: bool = False,
    sync: bool = True,
    changed_fields: Sequence[str] | None = None,
) -> DossierEvent:
    """Apply the state, bump the version, append the chained event and enqueue its jobs — one place.

    ``changed_fields``: the dossier columns the caller changed since the row was last written (a
    dossier inserted just before): the UPDATE names only those and this function's own. None (the
    default) writes the whole row.
    """
    from_state = d.state
    if to_state is not None:
        d.state = to_state
        d.status = STATE_STATUS[to_state]
        d.is_open = to_state in OPEN_STATES
    d.row_version += 1
    event = DossierEvent(
        dossier=d,
        seq=d.event_count + 1,
        at=now,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=_actor_name(actor)[:200],
        unit=unit,
        from_state=from_state,
        to_state=d.state,
        reason=reason,
        data=json_normalise(data),
        prev_hash=d.last_event_hash,
    )
    event.hash = event_hash(event)
    event.save()
    d.event_count = event.seq
    d.last_event_hash = event.hash
    d.save(update_fields=None if changed_fields is None else [*_RECORD_FIELDS, *changed_fields])
    # The event's outgoing jobs in one batch: two INSERTs (jobs, deliveries). Their keys name the event
    # just inserted under its unique (dossier, seq), so no job can hold them yet: no savepoint.
    jobs: list[JobRequest] = []
    if sync:
        jobs.append(
            JobRequest(
                name=DVCQG_SYNC_JOB,
                payload={
                    "service": "DongBoHoSoMC",
                    "dossier_id": d.pk,
                    "event_seq": event.seq,
                    "data": dong_bo_ho_so_payload(d),
                },
                idempotency_key=f"dvcqg.sync:{d.pk}:{event.seq}",
            )
        )
    if notify:
        jobs.append(
            JobRequest(
                name=NOTIFY_JOB,
                payload={
                    "dossier_id": d.pk,
                    "code": d.code,
                    "event_seq": event.seq,
                    "action": action,
                    "status": d.status,
                    "reason": reason,
                    "data": event.data,
                },
                idempotency_key=f"dossier.notify:{d.pk}:{event.seq}",
            )
        )
    job_enqueue_many(jobs, fresh_keys=True)
    return event


def _pause_open(d: Dossier) -> DossierPause | None:
    return d.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()


def _close_open_work(d: Dossier, *, by: Any, now: datetime) -> None:
    """End whatever is running when a dossier leaves the process early (withdrawn, stopped)."""
    _step_finish(d.current_step, by=by, now=now, status=StepStatus.CANCELLED)
    pause = _pause_open(d)
    if pause is not None:
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
    d.paused_at = None
    d.current_assignee = None
    d.transfer_origin_unit = None


# Files stored by the innermost ``uploads_removed_on_failure`` block of this context.
_stored_uploads: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("stored_uploads", default=None)


@contextmanager
def uploads_removed_on_failure() -> Iterator[None]:
    """Delete the files stored inside the block when the block fails, i.e. its transaction rolls back.

    File storage is not transactional: without this, a receipt that fails after saving its scans
    (a conflict, a bad field further down) leaves files no row points at. Wrap each transaction that
    stores uploads. Nested blocks hand their files to the enclosing one when they succeed, so a
    failure of the outer transaction removes them too.
    """
    outer = _stored_uploads.get()
    mine: list[tuple[Storage, str]] = []
    token = _stored_uploads.set(mine)
    try:
        yield
    except BaseException:
        for storage, name in mine:
            try:
                storage.delete(name)
            except Exception:  # the original error matters more; the file is logged for cleanup
                logger.exception("Không xoá được tệp %s của giao dịch đã huỷ", name)
        raise
    finally:
        _stored_uploads.reset(token)
    if outer is not None:
        outer.extend(mine)


def _sha256_and_store(component: DossierComponent, upload: File) -> None:
    """Store an uploaded file through Django's storage and keep its SHA-256 (integrity of the copy)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    component.file_sha256 = digest.hexdigest()
    component.file.save(os.path.basename(upload.name or "tep-dinh-kem"), upload, save=False)
    stored = _stored_uploads.get()
    if stored is not None:
        stored.append((component.file.storage, component.file.name or ""))


def _components_create(
    d: Dossier, *, procedure: Procedure, components: Sequence[ComponentData], now: datetime, supplement: bool
) -> list[DossierComponent]:
    """The checklist of the catalogue's documents (not for a supplement) plus what the applicant brought."""
    documents = {doc.pk: doc for doc in procedure.documents.all()}
    given: dict[int, ComponentData] = {}
    extras: list[ComponentData] = []
    for item in components:
        if item.document_id is None:
            if not nfc(item.name):
                raise DossierInvalid({"components": "Thành phần hồ sơ bổ sung ngoài danh mục phải có tên."})
            extras.append(item)
        elif item.document_id not in documents:
            raise DossierInvalid({"components": "Thành phần hồ sơ không thuộc thủ tục này."})
        else:
            given[item.document_id] = item
    start = (d.components.count() if supplement else 0) + 1
    rows: list[tuple[DossierComponent, ComponentData | None]] = []
    picked: list[tuple[ProcedureDocument, ComponentData | None]]
    if supplement:
        picked = [(documents[k], v) for k, v in given.items()]
    else:
        picked = [(doc, given.get(doc.pk)) for doc in documents.values()]
    for doc, given_item in picked:
        rows.append(
            (
                DossierComponent(
                    dossier=d,
                    catalog_document=doc,
                    name=doc.name,
                    required=doc.required,
                    copies=doc.copies,
                    paper_presented=bool(given_item and given_item.paper_presented),
                    is_supplement=supplement,
                ),
                given_item,
            )
        )
    for extra in extras:
        rows.append(
            (
                DossierComponent(
                    dossier=d,
                    name=nfc(extra.name),
                    required=False,
                    paper_presented=extra.paper_presented,
                    is_supplement=supplement,
                ),
                extra,
            )
        )
    created = []
    for offset, (component, source) in enumerate(rows):
        component.order = start + offset
        if source is not None and source.file is not None:
            _sha256_and_store(component, source.file)
            component.uploaded_at = now
        created.append(component)
    # One INSERT for all rows (primary keys come back on PostgreSQL and SQLite ≥ 3.35).
    return DossierComponent.objects.bulk_create(created)


def _fees_from_catalog(d: Dossier, procedure: Procedure) -> list[DossierFee]:
    fees = [
        DossierFee(dossier=d, name=fee.name, amount_vnd=fee.amount_vnd)
        for fee in procedure.fees.all()
        if fee.amount_vnd is not None and fee.amount_vnd > 0
    ]
    if fees:
        DossierFee.objects.bulk_create(fees)
    d.fees_total = sum(fee.amount_vnd for fee in fees)
    d.fees_paid = d.fees_total == 0
    return fees


def _prefetched(d: Dossier, **related: Sequence[Any]) -> None:
    """Seed ``d``'s prefetch cache with rows it was just created with (``d.components.all()`` …).

    Only for a dossier this module has just inserted, whose related rows are exactly those: the DVCQG
    payload and the API's answer then read them without a query.
    """
    for name, rows in related.items():
        prefetch_seed(d, name, rows)


def _clock_start(d: Dossier, *, now: datetime) -> None:
    """Receipt: the statutory time starts counting at the next working period (worktime)."""
    d.received_at = now
    d.clock_started_at = worktime.next_working_instant(now)
    d.due_at = deadlines.process_due(process=d.process, start=now)
    d.original_due_at = d.due_at


# --------------------------------------------------------------------------------------------------
# Receipt
# --------------------------------------------------------------------------------------------------


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


def _receipt_prepare(
    *,
    procedure: Procedure,
    receiving_unit: Unit,
    applicant: ApplicantData,
    summary: str,
    chosen_unit: Unit | None,
    channel: str,
    components: Sequence[ComponentData],
) -> _Receipt:
    """Validate and route a receipt (no write): applicant, summary, current process, competent unit."""
    return _Receipt(
        procedure=procedure,
        applicant=_applicant_clean(applicant),
        summary=_text(summary, field="summary", label="trích yếu", required=False),
        process=_process_current(procedure),
        receiving_unit=receiving_unit,
        competent=dossier_route_competent_unit(
            procedure=procedure, receiving_unit=receiving_unit, chosen_unit=chosen_unit
        ),
        channel=channel,
        components=components,
    )


def _receipt_insert(
    receipt: _Receipt, *, state: str, applicant_user: Any, now: datetime, idempotency_key: str | None = None
) -> Dossier:
    """Insert the dossier (next code of the receiving unit), its components and catalogue fees.

    The state itself is applied by the caller's ``_record`` (the event's from → to); the status is set
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
    )
    created = _components_create(
        d, procedure=procedure, components=receipt.components, now=now, supplement=False
    )
    fees = _fees_from_catalog(d, procedure)
    _prefetched(d, components=created, fees=fees, pauses=[])
    return d


def dossier_submit_online(
    *,
    applicant_user: Any,
    procedure: Procedure,
    receiving_unit: Unit,
    applicant: ApplicantData,
    idempotency_key: str,
    components: Sequence[ComponentData] = (),
    chosen_unit: Unit | None = None,
    summary: str = "",
    channel: str = Channel.ONLINE,
    known_new: bool = False,
) -> Dossier:
    """Online submission — nộp hồ sơ trực tuyến: status 1 (Mới đăng ký), waiting for reception.

    ``idempotency_key`` (the HTTP Idempotency-Key) is scoped to the applicant: a retry with the same key
    returns the dossier of the first call and creates nothing — no second dossier, code or event.
    ``known_new``: the caller resolves a reused key itself (the API, with its own record of the key):
    no up-front lookup and no savepoint — a reused key fails the unique ``idempotency_key`` INSERT and
    the ``IntegrityError`` rolls the caller's whole transaction back (the code counter's increment
    with it). Without it, the dossier already submitted with the key is returned.
    """
    if applicant_user is None or not applicant_user.is_authenticated:
        raise DossierPermissionDenied("Vui lòng đăng nhập (VNeID) để nộp hồ sơ trực tuyến.")
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
            _record(
                d,
                action="submit",
                actor=applicant_user,
                unit=receiving_unit,
                now=now,
                to_state=DossierState.SUBMITTED,
                data={"channel": channel, "competent_unit": receipt.competent.agency_code},
                notify=True,
                changed_fields=("fees_total", "fees_paid"),  # _fees_from_catalog
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
    actor: Any,
    receiving_unit: Unit,
    procedure: Procedure,
    applicant: ApplicantData,
    channel: str = Channel.COUNTER,
    components: Sequence[ComponentData] = (),
    chosen_unit: Unit | None = None,
    summary: str = "",
    applicant_user: Any = None,
) -> Dossier:
    """Receipt at the counter (also kiosk, postal) — tiếp nhận trực tiếp: the dossier is accepted at once.

    Status 2 (Được tiếp nhận), the clock starts, step 1 (Tiếp nhận) is active with the reception
    officer; components are checked off against the catalogue's documents, fees come from the
    catalogue. Form 01 (receipt and appointment) is rendered from the dossier by ``documents``.
    ``applicant_user``: the citizen's account when known (VNeID at the kiosk), so they can track and
    withdraw it online.
    """
    if channel not in (Channel.COUNTER, Channel.KIOSK, Channel.POSTAL):
        raise DossierInvalid({"channel": "Kênh tiếp nhận trực tiếp không hợp lệ."})
    if not _user_holds(actor, receiving_unit, Role.RECEPTION):
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
        _clock_start(d, now=now)
        _process_step_start(d, index=0, assignee=actor, by=actor, now=now)
        _record(
            d,
            action="receive",
            actor=actor,
            unit=receiving_unit,
            now=now,
            to_state=DossierState.ACCEPTED,
            data={
                "channel": channel,
                "competent_unit": receipt.competent.agency_code,
                "due_at": d.due_at,
                "form": "01",
            },
            notify=True,
        )
    return d


def dossier_accept(*, actor: Any, dossier: Dossier, row_version: int) -> Dossier:
    """Accept an online dossier — tiếp nhận hồ sơ trực tuyến: status 2; the clock starts counting."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.ACCEPT, user=actor, dossier=d, now=now)
        unit = d.current_unit
        _clock_start(d, now=now)
        _process_step_start(d, index=0, assignee=actor, by=actor, now=now)
        _record(
            d,
            action=Action.ACCEPT,
            actor=actor,
            unit=unit,
            now=now,
            to_state=DossierState.ACCEPTED,
            data={"due_at": d.due_at, "form": "01"},
            notify=True,
        )
    return d


def dossier_refuse(*, actor: Any, dossier: Dossier, row_version: int, reason: str) -> Dossier:
    """Refuse receipt — từ chối tiếp nhận: status 3, with the reason printed on form 03."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.REFUSE, user=actor, dossier=d, now=now)
        reason = _text(reason, field="reason", label="lý do từ chối")
        d.state_reason = reason
        d.finished_at = now
        d.current_assignee = None
        _record(
            d,
            action=Action.REFUSE,
            actor=actor,
            unit=d.current_unit,
            now=now,
            to_state=DossierState.REFUSED,
            reason=reason,
            data={"form": "03"},
            notify=True,
        )
    return d


# --------------------------------------------------------------------------------------------------
# Moving through the process
# --------------------------------------------------------------------------------------------------


def dossier_claim(*, actor: Any, dossier: Dossier, row_version: int) -> Dossier:
    """Take a step left in the unit pool — nhận xử lý: the step and the dossier get ``actor`` as assignee."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.CLAIM, user=actor, dossier=d, now=now)
        step = d.current_step
        assert step is not None  # rules: CLAIM needs a current step
        step.assignee = actor
        step.save(update_fields=["assignee"])
        d.current_assignee = actor
        _record(d, action=Action.CLAIM, actor=actor, unit=d.current_unit, now=now, sync=False)
    return d


def dossier_reassign(
    *, actor: Any, dossier: Dossier, row_version: int, assignee: Any, reason: str
) -> Dossier:
    """Reassign the current step — phân công lại: a head of the step's unit gives it to another official.

    For a step held by someone who cannot do it (leave, illness, taken by mistake) or left in the unit
    pool. The new assignee must hold the step's role in its unit; the reason is kept in the audit log.
    The applicant sees units only, so nothing is sent to them or to DVCQG.
    """
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.REASSIGN, user=actor, dossier=d, now=now)
        step = d.current_step
        assert step is not None  # rules: REASSIGN needs a current step
        reason = _text(reason, field="reason", label="lý do phân công lại")
        if assignee is None:
            raise DossierInvalid({"assignee": "Vui lòng chọn cán bộ được phân công."})
        _assignee_check(assignee, unit=step.unit, role=step.role)
        if assignee.pk == step.assignee_id:
            raise DossierInvalid({"assignee": "Bước này đang được giao cho chính cán bộ này."})
        previous = step.assignee
        step.assignee = assignee
        step.save(update_fields=["assignee"])
        d.current_assignee = assignee
        _record(
            d,
            action=Action.REASSIGN,
            actor=actor,
            unit=step.unit,
            now=now,
            reason=reason,
            data={
                "step": step.seq,
                "from": _actor_name(previous) if previous is not None else "",
                "to": _actor_name(assignee),
            },
            sync=False,
        )
    return d


def dossier_forward(
    *, actor: Any, dossier: Dossier, row_version: int, assignee: Any = None, note: str = ""
) -> Dossier:
    """Forward to the next step — chuyển bước: to a named official of its unit and role, or the unit pool."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.FORWARD, user=actor, dossier=d, now=now)
        note = _text(note, field="note", label="ghi chú", required=False)
        unit, index = d.current_unit, rules.current_index(d)
        assert index is not None
        previous = d.current_step
        _step_finish(previous, by=actor, now=now, note=note)
        step = _process_step_start(d, index=index + 1, assignee=assignee, by=actor, now=now)
        _record(
            d,
            action=Action.FORWARD,
            actor=actor,
            unit=unit,
            now=now,
            to_state=DossierState.PROCESSING,
            reason=note,
            data=_handover(previous, step),
        )
    return d


def _handover(previous: DossierStep | None, step: DossierStep) -> dict[str, Any]:
    return {
        "from_step": previous.name if previous else "",
        "from_outcome": previous.outcome if previous else "",
        "to_step": step.name,
        "to_unit": step.unit.agency_code,
        "to_role": step.role,
        "assignee": step.assignee_id,
        "step_due_at": step.due_at,
    }


def dossier_send_back(
    *, actor: Any, dossier: Dossier, row_version: int, reason: str, to_step_order: int | None = None
) -> Dossier:
    """Send back to a previous step — trả lại bước trước: a new step row; the old one stays as history.

    The previous handler of that step gets it again when they still hold the role; otherwise it goes to
    the unit pool. Going back to or before the decision step clears the decision and the signature.
    """
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.SEND_BACK, user=actor, dossier=d, now=now)
        reason = _text(reason, field="reason", label="lý do trả lại")
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
        _step_finish(previous, by=actor, now=now, status=StepStatus.SENT_BACK, note=reason)
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
            candidate = get_user_model()._default_manager.filter(pk=last_handler, is_active=True).first()
            if candidate is not None and _user_holds(candidate, step_unit, process_step.actor_role):
                assignee = candidate
        step = _step_start(
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
        _record(
            d,
            action=Action.SEND_BACK,
            actor=actor,
            unit=unit,
            now=now,
            to_state=DossierState.PROCESSING,
            reason=reason,
            data=_handover(previous, step),
        )
    return d


def dossier_transfer(
    *,
    actor: Any,
    dossier: Dossier,
    row_version: int,
    to_unit: Unit,
    reason: str,
    assignee: Any = None,
    role: str = Role.SPECIALIST,
) -> Dossier:
    """Inter-agency transfer — chuyển xử lý liên thông: ``to_unit``'s officials act until they return it."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.TRANSFER, user=actor, dossier=d, now=now)
        reason = _text(reason, field="reason", label="nội dung đề nghị phối hợp")
        if not to_unit.is_active or to_unit.pk == d.current_unit_id:
            raise DossierInvalid(
                {"to_unit": "Vui lòng chọn một đơn vị khác, đang hoạt động, để chuyển liên thông."}
            )
        if role not in Role.values:
            raise DossierInvalid({"role": "Vai trò xử lý liên thông không hợp lệ."})
        _assignee_check(assignee, unit=to_unit, role=role)
        origin = d.current_unit
        previous = d.current_step
        _step_finish(previous, by=actor, now=now, note=f"Chuyển liên thông: {reason}")
        step = _step_start(
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
        _record(
            d,
            action=Action.TRANSFER,
            actor=actor,
            unit=origin,
            now=now,
            to_state=DossierState.TRANSFERRED,
            reason=reason,
            data=_handover(previous, step),
        )
    return d


def dossier_transfer_back(*, actor: Any, dossier: Dossier, row_version: int, note: str = "") -> Dossier:
    """Send a transferred dossier back — trả hồ sơ liên thông: to the step and official it came from."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.TRANSFER_BACK, user=actor, dossier=d, now=now)
        note = _text(note, field="note", label="kết quả xử lý liên thông", required=False)
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
        _step_finish(previous, by=actor, now=now, note=note)
        process_step = resumed.process_step
        step_unit = step_unit_resolve(dossier=d, process_step=process_step)
        assignee = previous.handed_over_by
        if assignee is not None and not _user_holds(assignee, step_unit, process_step.actor_role):
            assignee = None
        step = _step_start(
            d,
            process_step=process_step,
            unit=step_unit,
            role=process_step.actor_role,
            assignee=assignee,
            by=actor,
            now=now,
        )
        d.transfer_origin_unit = None
        _record(
            d,
            action=Action.TRANSFER_BACK,
            actor=actor,
            unit=unit,
            now=now,
            to_state=DossierState.PROCESSING,
            reason=note,
            data=_handover(previous, step),
        )
    return d


# --------------------------------------------------------------------------------------------------
# Clock stops: supplement, financial obligation
# --------------------------------------------------------------------------------------------------


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
    *, actor: Any, dossier: Dossier, row_version: int, items: Sequence[RequestedItem | str], reason: str
) -> Dossier:
    """Request a supplement — yêu cầu bổ sung, hoàn thiện hồ sơ (form 02): status 5; the clock stops."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.REQUEST_SUPPLEMENT, user=actor, dossier=d, now=now)
        reason = _text(reason, field="reason", label="lý do yêu cầu bổ sung")
        cleaned = _items_clean(items)
        _pause_start(d, reason=PauseReason.SUPPLEMENT, note=reason, items=cleaned, now=now)
        _record(
            d,
            action=Action.REQUEST_SUPPLEMENT,
            actor=actor,
            unit=d.current_unit,
            now=now,
            to_state=DossierState.SUPPLEMENT_REQUESTED,
            reason=reason,
            data={"items": cleaned, "form": "02"},
            notify=True,
        )
    return d


def _resume(d: Dossier, *, pause: DossierPause, now: datetime, restart: bool) -> dict[str, Any]:
    """Restart the clock after a pause; returns what changed for the event."""
    old_due = d.due_at
    step = d.current_step
    if restart:
        # DESIGN §6: the complete dossier restarts the count from zero with the full duration.
        d.clock_started_at = worktime.next_working_instant(now)
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
    return {"restart": restart, "old_due_at": old_due, "due_at": d.due_at, "step_due_at": step_due}


def dossier_receive_supplement(
    *,
    actor: Any,
    dossier: Dossier,
    row_version: int,
    components: Sequence[ComponentData] = (),
    note: str = "",
) -> Dossier:
    """The supplement arrived — nhận hồ sơ bổ sung: back to processing, the clock runs again.

    By default the count restarts from zero with the full duration (DESIGN §6); a procedure with
    ``ProcedureDossierOptions.supplement_resumes_remaining`` resumes the time that was left instead.
    """
    with uploads_removed_on_failure(), transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.RECEIVE_SUPPLEMENT, user=actor, dossier=d, now=now)
        note = _text(note, field="note", label="ghi chú", required=False)
        pause = _pause_open(d)
        assert pause is not None  # SUPPLEMENT_REQUESTED always has its open pause
        options = ProcedureDossierOptions.objects.filter(procedure_id=d.procedure_id).first()
        restart = not (options and options.supplement_resumes_remaining)
        added = _components_create(d, procedure=d.procedure, components=components, now=now, supplement=True)
        data = _resume(d, pause=pause, now=now, restart=restart)
        data["components"] = [component.name for component in added]
        _record(
            d,
            action=Action.RECEIVE_SUPPLEMENT,
            actor=actor,
            unit=d.current_unit,
            now=now,
            to_state=pause.resume_state,
            reason=note,
            data=data,
            notify=True,
        )
    return d


def dossier_request_payment(
    *, actor: Any, dossier: Dossier, row_version: int, fees: Sequence[FeeData], reason: str = ""
) -> Dossier:
    """Financial obligation — yêu cầu thực hiện nghĩa vụ tài chính: status 6; the clock stops until paid."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.REQUEST_PAYMENT, user=actor, dossier=d, now=now)
        reason = _text(reason, field="reason", label="nội dung", required=False)
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
        _pause_start(d, reason=PauseReason.FINANCIAL, note=reason, items=items, now=now)
        _record(
            d,
            action=Action.REQUEST_PAYMENT,
            actor=actor,
            unit=d.current_unit,
            now=now,
            to_state=DossierState.AWAITING_PAYMENT,
            reason=reason,
            data={"fees": items},
            notify=True,
        )
    return d


def dossier_record_payment(*, actor: Any, dossier: Dossier, row_version: int, reference: str = "") -> Dossier:
    """Obligation fulfilled — đã thực hiện nghĩa vụ tài chính: back to processing.

    The time spent paying is not counted: the clock resumes with the working time left when it stopped.
    """
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.RECORD_PAYMENT, user=actor, dossier=d, now=now)
        reference = _text(reference, field="reference", label="số biên lai", required=False, max_length=255)
        pause = _pause_open(d)
        assert pause is not None
        d.fees.filter(paid_at__isnull=True).update(paid_at=now)
        d.fees_paid = True
        data = _resume(d, pause=pause, now=now, restart=False)
        data["reference"] = reference
        _record(
            d,
            action=Action.RECORD_PAYMENT,
            actor=actor,
            unit=d.current_unit,
            now=now,
            to_state=pause.resume_state,
            data=data,
            notify=True,
        )
    return d


# --------------------------------------------------------------------------------------------------
# Decision, signature, result
# --------------------------------------------------------------------------------------------------


def _result_ready(d: Dossier, *, now: datetime) -> None:
    """Processing finished — đã xử lý xong: overall outcome, and the return step opens at the centre."""
    d.finished_at = now
    d.outcome = deadlines.outcome(finished_at=now, due_at=d.due_at)
    _process_step_start(d, index=rules.step_plan(d).last_index, assignee=None, by=None, now=now)


def _decide(*, actor: Any, dossier: Dossier, row_version: int, decision: str, reason: str) -> Dossier:
    action = Action.APPROVE if decision == Decision.APPROVED else Action.REJECT
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(action, user=actor, dossier=d, now=now)
        reason = _text(
            reason,
            field="reason",
            label="lý do từ chối giải quyết" if action == Action.REJECT else "ý kiến",
            required=action == Action.REJECT,
        )
        plan, index = rules.step_plan(d), rules.current_index(d)
        assert index is not None
        unit = d.current_unit
        previous = d.current_step
        _step_finish(previous, by=actor, now=now, note=reason)
        d.decision, d.decided_by = decision, actor
        if action == Action.REJECT:
            d.state_reason = reason
        if index + 1 == plan.last_index:
            _result_ready(d, now=now)
            to_state = DossierState.RESULT_READY
        else:
            _process_step_start(d, index=index + 1, assignee=None, by=actor, now=now)
            to_state = DossierState.PROCESSING
        data = _handover(previous, d.current_step) if d.current_step else {}
        data.update({"decision": decision, "outcome": d.outcome})
        _record(
            d,
            action=action,
            actor=actor,
            unit=unit,
            now=now,
            to_state=to_state,
            reason=reason,
            data=data,
            notify=to_state == DossierState.RESULT_READY,
        )
    return d


def dossier_approve(*, actor: Any, dossier: Dossier, row_version: int, note: str = "") -> Dossier:
    """Approve — phê duyệt (leader, at the decision step): on to signing, or straight to result ready."""
    return _decide(
        actor=actor, dossier=dossier, row_version=row_version, decision=Decision.APPROVED, reason=note
    )


def dossier_reject(*, actor: Any, dossier: Dossier, row_version: int, reason: str) -> Dossier:
    """Reject — từ chối giải quyết: a negative result (a reasoned refusal) that is signed and returned."""
    return _decide(
        actor=actor, dossier=dossier, row_version=row_version, decision=Decision.REJECTED, reason=reason
    )


def dossier_record_signature(
    *, actor: Any, dossier: Dossier, signer: Any, signature_reference: str, row_version: int
) -> Dossier:
    """Record the signature of the result — ghi nhận ký số: the seam for the signing app.

    ``signer`` is the leader whose signature the result carries; ``actor`` the official recording it at
    the signing step (usually the clerk, văn thư). The PDF signing itself happens elsewhere; this keeps
    its reference (e.g. the signed file's id or the document number).
    """
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.RECORD_SIGNATURE, user=actor, dossier=d, now=now)
        reference = _text(
            signature_reference, field="signature_reference", label="mã tham chiếu chữ ký", max_length=255
        )
        step_unit = d.current_unit
        if signer is None or not (
            _user_holds(signer, step_unit, Role.LEADER) or _user_holds(signer, d.competent_unit, Role.LEADER)
        ):
            raise DossierInvalid({"signer": f"Người ký phải là lãnh đạo của {d.competent_unit.name}."})
        d.signed_by, d.signed_at, d.signature_reference = signer, now, reference
        _record(
            d,
            action=Action.RECORD_SIGNATURE,
            actor=actor,
            unit=step_unit,
            now=now,
            data={"signer": signer.pk, "signer_name": _actor_name(signer), "reference": reference},
        )
    return d


def dossier_mark_result_ready(*, actor: Any, dossier: Dossier, row_version: int, note: str = "") -> Dossier:
    """Result ready — đã xử lý xong (status 9): outcome is computed, the return step opens at the centre."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.MARK_RESULT_READY, user=actor, dossier=d, now=now)
        note = _text(note, field="note", label="ghi chú", required=False)
        unit = d.current_unit
        previous = d.current_step
        _step_finish(previous, by=actor, now=now, note=note)
        _result_ready(d, now=now)
        assert d.current_step is not None
        data = _handover(previous, d.current_step)
        data["outcome"] = d.outcome
        _record(
            d,
            action=Action.MARK_RESULT_READY,
            actor=actor,
            unit=unit,
            now=now,
            to_state=DossierState.RESULT_READY,
            reason=note,
            data=data,
            notify=True,
        )
    return d


def dossier_return_result(
    *, actor: Any, dossier: Dossier, row_version: int, method: str = "counter", note: str = ""
) -> Dossier:
    """Return the result — trả kết quả (status 10): at the counter, by post or to the data store."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.RETURN_RESULT, user=actor, dossier=d, now=now)
        if method not in ("counter", "postal", "online"):
            raise DossierInvalid({"method": "Hình thức trả kết quả không hợp lệ."})
        note = _text(note, field="note", label="ghi chú", required=False)
        _step_finish(d.current_step, by=actor, now=now, note=note)
        d.returned_at = now
        d.current_assignee = None
        _record(
            d,
            action=Action.RETURN_RESULT,
            actor=actor,
            unit=d.current_unit,
            now=now,
            to_state=DossierState.RETURNED,
            reason=note,
            data={"method": method, "decision": d.decision},
            notify=True,
        )
    return d


# --------------------------------------------------------------------------------------------------
# Leaving early; extension
# --------------------------------------------------------------------------------------------------


def dossier_withdraw(*, actor: Any, dossier: Dossier, row_version: int, reason: str) -> Dossier:
    """Citizen withdrawal — công dân rút hồ sơ (status 7): by the applicant, or reception on their behalf."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.WITHDRAW, user=actor, dossier=d, now=now)
        reason = _text(reason, field="reason", label="lý do rút hồ sơ")
        unit = d.current_unit
        on_behalf = not rules.is_applicant(actor, d)
        _close_open_work(d, by=actor, now=now)
        d.state_reason = reason
        d.finished_at = now
        _record(
            d,
            action=Action.WITHDRAW,
            actor=actor,
            unit=None if not on_behalf else unit,
            now=now,
            to_state=DossierState.WITHDRAWN,
            reason=reason,
            data={"on_behalf": on_behalf},
            notify=True,
        )
    return d


def dossier_stop(*, actor: Any, dossier: Dossier, row_version: int, reason: str) -> Dossier:
    """Stop processing — dừng xử lý (status 8), with the stop notice of TT 03/2025 (thông báo dừng)."""
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.STOP, user=actor, dossier=d, now=now)
        reason = _text(reason, field="reason", label="lý do dừng xử lý")
        unit = d.current_unit
        _close_open_work(d, by=actor, now=now)
        d.state_reason = reason
        d.finished_at = now
        _record(
            d,
            action=Action.STOP,
            actor=actor,
            unit=unit,
            now=now,
            to_state=DossierState.STOPPED,
            reason=reason,
            data={"form": "stop_notice"},
            notify=True,
        )
    return d


def dossier_extend(
    *, actor: Any, dossier: Dossier, row_version: int, new_due_at: datetime, reason: str
) -> Dossier:
    """Extend once with an apology — xin lỗi và hẹn lại ngày trả kết quả (form 04).

    Only while the clock runs, only once per dossier, only at least one working day before the current
    appointment, and only to a later appointment.
    """
    with transaction.atomic():
        d = _lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(Action.EXTEND, user=actor, dossier=d, now=now)
        reason = _text(reason, field="reason", label="lý do xin lỗi, hẹn lại")
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
        _record(
            d,
            action=Action.EXTEND,
            actor=actor,
            unit=d.current_unit,
            now=now,
            reason=reason,
            data={"old_due_at": old_due, "due_at": new_due_at, "form": "04"},
            notify=True,
        )
    return d
