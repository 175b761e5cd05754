"""Dossier API — API hồ sơ: ``/api/v1/dossiers`` (mounted by ``motcua.api``).

Authenticated: a service-account token (``Authorization: Bearer …``) or the browser session (unsafe
methods need the CSRF token) — ``identity.auth.api_auth``. Thin: input is validated by the schemas,
everything else is the engine's (``dossiers.services`` / ``dossiers.selectors``).

Status codes:

* ``POST /dossiers`` — 201 created; **200** for a retry with the same ``Idempotency-Key`` and the same
  body (the same dossier, never a second one); **422** for the same key with a different body (IETF
  draft "The Idempotency-Key HTTP Header Field"); 400 missing key or bad input.
* ``GET /dossiers/{code}`` — 200, or 404 when it does not exist *or* the caller may not see it
  (outsiders cannot probe which codes exist).
* ``GET /dossiers`` — the caller's work queue (open dossiers now in a unit where they hold a role),
  most urgent first, paginated with ``total``; other users get an empty list.
* ``POST /dossiers/{code}/actions/{action}`` — 200 with the updated dossier; 409 ``conflict`` (someone
  changed it since ``row_version``) or 409 ``action_not_allowed`` (impossible in the current state or
  step: a conflict with the resource's state, not a malformed request); 403 the caller lacks the role;
  400 bad input; 404 unknown or invisible dossier. An unknown action is a 400 validation error.

Errors are ``{"detail": "<Vietnamese message>", "code": …}`` plus ``errors`` (field → message) for 400.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_code_normalise
from motcua.core.selectors import reference_data_stamp
from motcua.dossiers import services
from motcua.dossiers.errors import (
    DossierActionNotAllowed,
    DossierConflict,
    DossierError,
    DossierInvalid,
    DossierPermissionDenied,
)
from motcua.dossiers.models import (
    ApplicantKind,
    Dossier,
    DossierState,
    DvcqgStatus,
)
from motcua.dossiers.rules import Action, is_applicant
from motcua.dossiers.selectors import (
    MAX_PAGE_SIZE,
    dossier_allowed_actions,
    dossier_flags,
    dossier_get_for_official,
    dossier_queue,
    procedure_for_receipt,
    unit_for_receipt,
)
from motcua.identity.auth import api_auth
from motcua.identity.selectors import idempotent_request_get
from motcua.identity.services import idempotent_request_insert
from motcua.org.models import Role, Unit
from motcua.org.selectors import official_display_name

router = Router(tags=["Hồ sơ"], auth=api_auth)

SUBMIT_SCOPE = "dossier.submit"
# A published code carries the agency's suffix: 1.004194.000.00.00.H49 → 1.004194.


# --------------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------------


class ApplicantIn(Schema):
    """Applicant — người nộp / chủ hồ sơ."""

    kind: Literal["person", "organisation"] = "person"
    name: str = Field(min_length=1, max_length=255)
    id_number: str = Field("", max_length=13, description="Số định danh cá nhân / mã số doanh nghiệp")
    birth_date: date | None = None
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    address: str = Field("", max_length=500)


class RepresentativeIn(Schema):
    """Representative — người được ủy quyền nộp thay."""

    name: str = Field(min_length=1, max_length=255)
    id_number: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)


class ComponentIn(Schema):
    """A component (thành phần hồ sơ): a catalogue document by its order number, or an extra one by name.

    Files are not sent through the JSON API; ``paper_presented`` marks a paper original shown.
    """

    document_order: int | None = Field(None, ge=1, description="Số thứ tự giấy tờ trong danh mục thủ tục")
    name: str = Field("", max_length=500)
    paper_presented: bool = False


class SubmitIn(Schema):
    """Online submission — nộp hồ sơ trực tuyến."""

    procedure: str = Field(min_length=1, max_length=60, description="Mã thủ tục, ví dụ 1.004194")
    receiving_unit: str = Field(min_length=1, max_length=40, description="Mã định danh nơi tiếp nhận")
    chosen_unit: str | None = Field(
        None, max_length=40, description="Mã định danh đơn vị giải quyết (nếu chọn)"
    )
    applicant: ApplicantIn
    representative: RepresentativeIn | None = None
    summary: str = Field("", max_length=2000, description="Trích yếu")
    components: list[ComponentIn] = Field(default_factory=list, max_length=100)


class RequestedItemIn(Schema):
    name: str = Field(min_length=1, max_length=500)
    note: str = Field("", max_length=1000)


class FeeIn(Schema):
    name: str = Field(min_length=1, max_length=500)
    amount_vnd: int = Field(gt=0)


class ActionIn(Schema):
    """Body of an action; ``row_version`` is the version the caller saw. Other fields per action:

    refuse, reject, withdraw, stop: ``reason`` · accept, claim: — · forward: ``assignee``, ``note`` ·
    reassign: ``assignee``, ``reason`` ·
    send_back: ``reason``, ``to_step_order`` · transfer: ``to_unit``, ``reason``, ``assignee``, ``role`` ·
    transfer_back, approve, mark_result_ready: ``note`` · request_supplement: ``items``, ``reason`` ·
    receive_supplement: ``components``, ``note`` · request_payment: ``fees``, ``reason`` ·
    record_payment: ``reference`` · record_signature: ``signer``, ``signature_reference`` ·
    return_result: ``method``, ``note`` · extend: ``new_due_at``, ``reason``.
    """

    row_version: int = Field(ge=0)
    reason: str = Field("", max_length=2000)
    note: str = Field("", max_length=2000)
    assignee: str | None = Field(None, max_length=150, description="Tên đăng nhập của cán bộ nhận")
    to_step_order: int | None = Field(None, ge=1)
    to_unit: str | None = Field(None, max_length=40, description="Mã định danh đơn vị nhận liên thông")
    role: Role = Role.SPECIALIST
    items: list[RequestedItemIn] = Field(default_factory=list, max_length=100)
    fees: list[FeeIn] = Field(default_factory=list, max_length=50)
    reference: str = Field("", max_length=255)
    signer: str | None = Field(None, max_length=150, description="Tên đăng nhập của lãnh đạo ký")
    signature_reference: str = Field("", max_length=255)
    method: Literal["counter", "postal", "online"] = "counter"
    new_due_at: datetime | None = None
    components: list[ComponentIn] = Field(default_factory=list, max_length=100)


class UnitRef(Schema):
    agency_code: str
    name: str


class ProcedureRef(Schema):
    code: str
    name: str


class StepOut(Schema):
    seq: int
    name: str
    unit: UnitRef
    role: str
    role_label: str
    assignee_name: str | None  # officials only; null for the applicant
    started_at: datetime
    due_at: datetime | None
    finished_at: datetime | None


class ApplicantOut(Schema):
    kind: str
    name: str
    id_number: str
    birth_date: date | None
    phone: str
    email: str
    address: str
    representative_name: str
    representative_id_number: str
    representative_phone: str


class ComponentOut(Schema):
    order: int
    name: str
    required: bool
    paper_presented: bool
    has_file: bool
    is_supplement: bool


class DossierOut(Schema):
    """A dossier as its applicant or an official of its units sees it."""

    code: str
    status: int
    status_label: str
    state: str
    state_label: str
    channel: str
    row_version: int
    procedure: ProcedureRef
    receiving_unit: UnitRef
    competent_unit: UnitRef
    current_unit: UnitRef
    current_step: StepOut | None
    applicant: ApplicantOut
    summary: str
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    outcome: str
    due_soon: bool
    overdue: bool
    extended: bool
    fees_total: int
    fees_paid: bool
    state_reason: str
    components: list[ComponentOut]
    allowed_actions: list[str]


class DossierListItemOut(Schema):
    code: str
    status: int
    status_label: str
    state: str
    procedure: ProcedureRef
    current_unit: UnitRef
    current_step_name: str | None
    assignee_name: str | None
    applicant_name: str
    channel: str
    submitted_at: datetime
    due_at: datetime | None
    due_soon: bool
    overdue: bool
    row_version: int


class DossierPageOut(Schema):
    total: int
    page: int
    page_size: int
    items: list[DossierListItemOut]


class ErrorOut(Schema):
    detail: str
    code: str | None = None
    errors: dict[str, str] | None = None
    current_version: int | None = None


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _unit_ref(unit: Unit) -> UnitRef:
    return UnitRef(agency_code=unit.agency_code, name=unit.name)


def _official_name(user: Any) -> str | None:
    return None if user is None else official_display_name(user)


def _dossier_out(d: Dossier, *, user: Any) -> DossierOut:
    # Officials' names are for officials; the applicant sees units only (as on the public page).
    show_names = not is_applicant(user, d)
    step = d.current_step
    flags = dossier_flags(dossier=d)
    return DossierOut(
        code=d.code,
        status=d.status,
        status_label=str(DvcqgStatus(d.status).label),
        state=d.state,
        state_label=str(DossierState(d.state).label),
        channel=d.channel,
        row_version=d.row_version,
        procedure=ProcedureRef(code=d.procedure.code, name=d.procedure.name),
        receiving_unit=_unit_ref(d.receiving_unit),
        competent_unit=_unit_ref(d.competent_unit),
        current_unit=_unit_ref(d.current_unit),
        current_step=StepOut(
            seq=step.seq,
            name=step.name,
            unit=_unit_ref(step.unit),
            role=step.role,
            role_label=str(Role(step.role).label),
            assignee_name=_official_name(step.assignee) if show_names else None,
            started_at=step.started_at,
            due_at=step.due_at,
            finished_at=step.finished_at,
        )
        if step is not None
        else None,
        applicant=ApplicantOut(
            kind=d.applicant_kind,
            name=d.applicant_name,
            id_number=d.applicant_id_number,
            birth_date=d.applicant_birth_date,
            phone=d.applicant_phone,
            email=d.applicant_email,
            address=d.applicant_address,
            representative_name=d.representative_name,
            representative_id_number=d.representative_id_number,
            representative_phone=d.representative_phone,
        ),
        summary=d.summary,
        submitted_at=d.submitted_at,
        received_at=d.received_at,
        due_at=d.due_at,
        finished_at=d.finished_at,
        returned_at=d.returned_at,
        outcome=d.outcome,
        due_soon=flags.due_soon,
        overdue=flags.overdue,
        extended=d.extended,
        fees_total=d.fees_total,
        fees_paid=d.fees_paid,
        state_reason=d.state_reason,
        components=[
            ComponentOut(
                order=c.order,
                name=c.name,
                required=c.required,
                paper_presented=c.paper_presented,
                has_file=bool(c.file),
                is_supplement=c.is_supplement,
            )
            # .all(): the prefetch cache of a dossier just created (services seed it), else one query.
            for c in sorted(d.components.all(), key=lambda c: c.order)
        ],
        allowed_actions=dossier_allowed_actions(user=user, dossier=d),
    )


def _error(status: int, exc: DossierError | str, *, code: str | None = None) -> Status[ErrorOut]:
    if isinstance(exc, str):
        return Status(status, ErrorOut(detail=exc, code=code))
    errors = exc.errors if isinstance(exc, DossierInvalid) else None
    current = exc.current_version if isinstance(exc, DossierConflict) else None
    return Status(status, ErrorOut(detail=exc.message, code=code, errors=errors, current_version=current))


def _engine_error(exc: DossierError) -> Status[ErrorOut]:
    """The engine's typed errors as HTTP: conflict 409, not allowed 409, permission 403, invalid 400."""
    if isinstance(exc, DossierConflict):
        return _error(409, exc, code="conflict")
    if isinstance(exc, DossierActionNotAllowed):
        return _error(409, exc, code="action_not_allowed")
    if isinstance(exc, DossierPermissionDenied):
        return _error(403, exc, code="permission_denied")
    if isinstance(exc, DossierInvalid):
        return _error(400, exc, code="invalid")
    return _error(400, exc, code="error")


def _not_found(code: str) -> Status[ErrorOut]:
    return _error(
        404,
        f"Không tìm thấy hồ sơ «{code}» hoặc bạn không có quyền xem hồ sơ này.",
        code="not_found",
    )


def _procedure(code: str, *, stamp: str | None = None) -> Procedure:
    code = procedure_code_normalise(code)
    try:
        return procedure_for_receipt(code=code, stamp=stamp)
    except Procedure.DoesNotExist:
        raise DossierInvalid({"procedure": f"Không có thủ tục mã «{code}» trong danh mục."}) from None


def _unit(agency_code: str, *, field: str, stamp: str | None = None) -> Unit:
    unit = unit_for_receipt(agency_code=agency_code, stamp=stamp)
    if unit is None:
        raise DossierInvalid({field: f"Không có đơn vị đang hoạt động mã định danh «{agency_code}»."})
    return unit


def _user(username: str | None, *, field: str) -> Any:
    if not username:
        return None
    user = get_user_model()._default_manager.filter(username=username, is_active=True).first()
    if user is None:
        raise DossierInvalid({field: f"Không có cán bộ có tên đăng nhập «{username}»."})
    return user


def _components(procedure: Procedure, items: list[ComponentIn]) -> list[services.ComponentData]:
    by_order = {doc.order: doc.pk for doc in procedure.documents.all()}
    result = []
    for item in items:
        if item.document_order is not None:
            if item.document_order not in by_order:
                raise DossierInvalid(
                    {
                        "components": f"Thủ tục không có giấy tờ số thứ tự {item.document_order} "
                        "trong danh mục."
                    }
                )
            result.append(
                services.ComponentData(
                    document_id=by_order[item.document_order], paper_presented=item.paper_presented
                )
            )
        else:
            result.append(services.ComponentData(name=item.name, paper_presented=item.paper_presented))
    return result


def _body_hash(body: SubmitIn) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _reload(d: Dossier, *, user: Any) -> Dossier:
    """The dossier with the joins ``_dossier_out`` needs (services return it without some of them)."""
    fresh = dossier_get_for_official(user=user, code=d.code)
    return fresh if fresh is not None else d


# --------------------------------------------------------------------------------------------------
# Submission
# --------------------------------------------------------------------------------------------------

IDEMPOTENCY_MISSING = (
    "Thiếu tiêu đề Idempotency-Key: mỗi lần nộp hồ sơ cần một khóa duy nhất (ví dụ một UUID) "
    "để việc gửi lại không tạo hồ sơ trùng."
)
IDEMPOTENCY_MISMATCH = (
    "Khóa Idempotency-Key này đã được dùng để nộp một hồ sơ với nội dung khác. "
    "Hãy dùng khóa mới cho hồ sơ mới, hoặc gửi lại đúng nội dung lần đầu."
)


@router.post(
    "",
    response={201: DossierOut, 200: DossierOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Nộp hồ sơ trực tuyến",
)
def dossiers_submit(
    request: HttpRequest,
    body: SubmitIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description="Khóa chống gửi trùng (bắt buộc), tối đa 80 ký tự"
    ),
) -> Status[DossierOut] | Status[ErrorOut]:
    """Submit a dossier online (status 1, Mới đăng ký) for the authenticated citizen or service account.

    ``Idempotency-Key`` is required: a retry with the same key and body returns the same dossier with
    200; the same key with another body is refused with 422; concurrent retries create one dossier.
    """
    user = request.auth  # type: ignore[attr-defined]
    key = (idempotency_key or "").strip()
    if not key or len(key) > 80:
        return _error(400, IDEMPOTENCY_MISSING, code="idempotency_key_missing")
    body_hash = _body_hash(body)
    try:
        stamp = reference_data_stamp()  # one read for the procedure and both units
        procedure = _procedure(body.procedure, stamp=stamp)
        receiving = _unit(body.receiving_unit, field="receiving_unit", stamp=stamp)
        chosen = _unit(body.chosen_unit, field="chosen_unit", stamp=stamp) if body.chosen_unit else None
        components = _components(procedure, body.components)
        rep = body.representative
        applicant = services.ApplicantData(
            kind=ApplicantKind(body.applicant.kind),
            name=body.applicant.name,
            id_number=body.applicant.id_number,
            birth_date=body.applicant.birth_date,
            phone=body.applicant.phone,
            email=body.applicant.email,
            address=body.applicant.address,
            representative_name=rep.name if rep else "",
            representative_id_number=rep.id_number if rep else "",
            representative_phone=rep.phone if rep else "",
        )
        # One transaction for the dossier and the key's record. A retry is not looked up first (retries
        # are rare; the lookup would cost every submission a query): it fails the unique key of the
        # dossier or of the record — after waiting for a concurrent first request to commit — the
        # whole transaction rolls back (the code number with it), and the first request's record is
        # replayed below, so the retry can tell whether its body matches.
        with transaction.atomic():
            d = services.dossier_submit_online(
                applicant_user=user,
                procedure=procedure,
                receiving_unit=receiving,
                applicant=applicant,
                idempotency_key=key,
                components=components,
                chosen_unit=chosen,
                summary=body.summary,
                known_new=True,  # a reused key is replayed below
            )
            idempotent_request_insert(
                user=user, scope=SUBMIT_SCOPE, key=key, request_hash=body_hash, result_ref=d.code
            )
    except DossierError as exc:
        # A retry whose first request succeeded answers with that dossier even if the same body would
        # no longer pass (the procedure was withdrawn from the catalogue in between, say).
        previous = idempotent_request_get(user=user, scope=SUBMIT_SCOPE, key=key)
        if previous is not None:
            return _replay(previous.request_hash, previous.result_ref, body_hash=body_hash, user=user)
        return _engine_error(exc)
    except IntegrityError:
        previous = idempotent_request_get(user=user, scope=SUBMIT_SCOPE, key=key)
        if previous is None:
            raise  # not the key's record: a real integrity failure
        return _replay(previous.request_hash, previous.result_ref, body_hash=body_hash, user=user)
    # The dossier as the service created it: procedure, units and components are already in memory
    # (no reload with an 11-table join). A dossier the service found by its own idempotency check
    # (the key used outside this API) loads what the answer needs lazily.
    return Status(201, _dossier_out(d, user=user))


def _replay(
    request_hash: str, code: str, *, body_hash: str, user: Any
) -> Status[DossierOut] | Status[ErrorOut]:
    if request_hash != body_hash:
        return _error(422, IDEMPOTENCY_MISMATCH, code="idempotency_key_reused")
    d = dossier_get_for_official(user=user, code=code)
    if d is None:  # the dossier was deleted or the account lost access: do not create another one
        return _error(422, IDEMPOTENCY_MISMATCH, code="idempotency_key_reused")
    return Status(200, _dossier_out(d, user=user))


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


class ListFilters(Schema):
    status: int | None = Field(None, ge=1, le=10, description="Trạng thái DVCQG 1–10")
    unit: str | None = Field(None, max_length=40, description="Mã định danh một đơn vị của bạn")
    procedure: str | None = Field(None, max_length=60, description="Mã thủ tục")
    due_before: datetime | None = Field(None, description="Hẹn trả trước thời điểm này")
    overdue: bool = False
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


@router.get("", response={200: DossierPageOut, 400: ErrorOut}, summary="Danh sách hồ sơ của đơn vị")
def dossiers_list(
    request: HttpRequest, filters: Query[ListFilters]
) -> Status[DossierPageOut] | Status[ErrorOut]:
    """Open dossiers now in the caller's units (officials), most urgent first; ``total`` for paging.

    ``unit`` narrows to one of the caller's units (another unit gives an empty list); ``overdue``
    keeps dossiers whose running clock has passed the appointment.
    """
    user = request.auth  # type: ignore[attr-defined]
    try:
        unit = _unit(filters.unit, field="unit") if filters.unit else None
        procedure_id = _procedure(filters.procedure).pk if filters.procedure else None
    except DossierInvalid as exc:
        return _engine_error(exc)
    due_before = filters.due_before
    if due_before is not None and timezone.is_naive(due_before):
        due_before = timezone.make_aware(due_before)
    page = dossier_queue(
        user=user,
        scope="unit",
        status=filters.status,
        procedure=procedure_id,
        overdue=filters.overdue,
        due_before=due_before,
        unit=unit,
        page=filters.page,
        page_size=filters.page_size,
    )
    items = []
    for item in page.items:
        d = item.dossier
        items.append(
            DossierListItemOut(
                code=d.code,
                status=d.status,
                status_label=str(DvcqgStatus(d.status).label),
                state=d.state,
                procedure=ProcedureRef(code=d.procedure.code, name=d.procedure.name),
                current_unit=_unit_ref(d.current_unit),
                current_step_name=d.current_step.name if d.current_step else None,
                assignee_name=_official_name(d.current_assignee),
                applicant_name=d.applicant_name,
                channel=d.channel,
                submitted_at=d.submitted_at,
                due_at=d.due_at,
                due_soon=item.due_soon,
                overdue=item.overdue,
                row_version=d.row_version,
            )
        )
    return Status(
        200, DossierPageOut(total=page.total, page=page.page, page_size=page.page_size, items=items)
    )


@router.get("/{code}", response={200: DossierOut, 404: ErrorOut}, summary="Chi tiết hồ sơ")
def dossiers_get(request: HttpRequest, code: str) -> Status[DossierOut] | Status[ErrorOut]:
    """One dossier, for its applicant or an official with a role in one of its units (else 404)."""
    user = request.auth  # type: ignore[attr-defined]
    d = dossier_get_for_official(user=user, code=code)
    if d is None:
        return _not_found(code)
    return Status(200, _dossier_out(d, user=user))


# --------------------------------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------------------------------

ActionHandler = Callable[[Any, Dossier, ActionIn], Dossier]


def _new_due_at(body: ActionIn) -> datetime:
    if body.new_due_at is None:
        raise DossierInvalid({"new_due_at": "Vui lòng chọn ngày giờ hẹn trả mới."})
    value = body.new_due_at
    return timezone.make_aware(value) if timezone.is_naive(value) else value  # naive = local time


def _to_unit(body: ActionIn) -> Unit:
    if not body.to_unit:
        raise DossierInvalid({"to_unit": "Vui lòng chọn đơn vị nhận hồ sơ liên thông."})
    return _unit(body.to_unit, field="to_unit")


_ACTIONS: dict[Action, ActionHandler] = {
    Action.ACCEPT: lambda u, d, b: services.dossier_accept(actor=u, dossier=d, row_version=b.row_version),
    Action.REFUSE: lambda u, d, b: services.dossier_refuse(
        actor=u, dossier=d, row_version=b.row_version, reason=b.reason
    ),
    Action.CLAIM: lambda u, d, b: services.dossier_claim(actor=u, dossier=d, row_version=b.row_version),
    Action.REASSIGN: lambda u, d, b: services.dossier_reassign(
        actor=u,
        dossier=d,
        row_version=b.row_version,
        assignee=_user(b.assignee, field="assignee"),
        reason=b.reason,
    ),
    Action.FORWARD: lambda u, d, b: services.dossier_forward(
        actor=u,
        dossier=d,
        row_version=b.row_version,
        assignee=_user(b.assignee, field="assignee"),
        note=b.note,
    ),
    Action.SEND_BACK: lambda u, d, b: services.dossier_send_back(
        actor=u, dossier=d, row_version=b.row_version, reason=b.reason, to_step_order=b.to_step_order
    ),
    Action.TRANSFER: lambda u, d, b: services.dossier_transfer(
        actor=u,
        dossier=d,
        row_version=b.row_version,
        to_unit=_to_unit(b),
        reason=b.reason,
        assignee=_user(b.assignee, field="assignee"),
        role=b.role,
    ),
    Action.TRANSFER_BACK: lambda u, d, b: services.dossier_transfer_back(
        actor=u, dossier=d, row_version=b.row_version, note=b.note
    ),
    Action.REQUEST_SUPPLEMENT: lambda u, d, b: services.dossier_request_supplement(
        actor=u,
        dossier=d,
        row_version=b.row_version,
        items=[services.RequestedItem(i.name, i.note) for i in b.items],
        reason=b.reason,
    ),
    Action.RECEIVE_SUPPLEMENT: lambda u, d, b: services.dossier_receive_supplement(
        actor=u,
        dossier=d,
        row_version=b.row_version,
        components=_components(d.procedure, b.components),
        note=b.note,
    ),
    Action.REQUEST_PAYMENT: lambda u, d, b: services.dossier_request_payment(
        actor=u,
        dossier=d,
        row_version=b.row_version,
        fees=[services.FeeData(f.name, f.amount_vnd) for f in b.fees],
        reason=b.reason,
    ),
    Action.RECORD_PAYMENT: lambda u, d, b: services.dossier_record_payment(
        actor=u, dossier=d, row_version=b.row_version, reference=b.reference
    ),
    Action.APPROVE: lambda u, d, b: services.dossier_approve(
        actor=u, dossier=d, row_version=b.row_version, note=b.note
    ),
    Action.REJECT: lambda u, d, b: services.dossier_reject(
        actor=u, dossier=d, row_version=b.row_version, reason=b.reason
    ),
    Action.RECORD_SIGNATURE: lambda u, d, b: services.dossier_record_signature(
        actor=u,
        dossier=d,
        row_version=b.row_version,
        signer=_user(b.signer, field="signer"),
        signature_reference=b.signature_reference,
    ),
    Action.MARK_RESULT_READY: lambda u, d, b: services.dossier_mark_result_ready(
        actor=u, dossier=d, row_version=b.row_version, note=b.note
    ),
    Action.RETURN_RESULT: lambda u, d, b: services.dossier_return_result(
        actor=u, dossier=d, row_version=b.row_version, method=b.method, note=b.note
    ),
    Action.WITHDRAW: lambda u, d, b: services.dossier_withdraw(
        actor=u, dossier=d, row_version=b.row_version, reason=b.reason
    ),
    Action.STOP: lambda u, d, b: services.dossier_stop(
        actor=u, dossier=d, row_version=b.row_version, reason=b.reason
    ),
    Action.EXTEND: lambda u, d, b: services.dossier_extend(
        actor=u, dossier=d, row_version=b.row_version, new_due_at=_new_due_at(b), reason=b.reason
    ),
}


@router.post(
    "/{code}/actions/{action}",
    response={200: DossierOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Thực hiện thao tác xử lý hồ sơ",
)
def dossiers_act(
    request: HttpRequest, code: str, action: Action, body: ActionIn
) -> Status[DossierOut] | Status[ErrorOut]:
    """Take ``action`` on the dossier, acting on ``row_version`` (the version the caller saw).

    409 ``conflict``: changed by someone else meanwhile (reload and retry) · 409 ``action_not_allowed``:
    impossible in the current state or step · 403: the caller lacks the role · 400: bad input.
    """
    user = request.auth  # type: ignore[attr-defined]
    d = dossier_get_for_official(user=user, code=code)
    if d is None:
        return _not_found(code)
    try:
        d = _ACTIONS[action](user, d, body)
    except DossierError as exc:
        return _engine_error(exc)
    return Status(200, _dossier_out(_reload(d, user=user), user=user))


__all__ = ["router"]
