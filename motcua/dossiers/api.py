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
* ``POST /dossiers/{code}/actions/<action>`` — one operation per action of the registry
  (``dossiers.actions``), each with its own body schema: 200 with the updated dossier; 409 ``conflict``
  (someone changed it since ``row_version``) or 409 ``action_not_allowed`` (impossible in the current
  state or step: a conflict with the resource's state, not a malformed request); 403 the caller lacks
  the role; 400 bad input or an unknown field; 404 unknown or invisible dossier. An unknown action is
  a 400 on ``action``.

Every 4xx is ``core.api_errors.ErrorOut``: ``{"detail", "code", "errors": {field: message},
"current_version"?}``, messages in Vietnamese.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Literal

from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status

from motcua.accounts.models import Account, AccountKind
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_code_normalise
from motcua.core.api_errors import ErrorOut, validation_detail
from motcua.core.api_time import ApiDateTime
from motcua.core.selectors import reference_data_stamp
from motcua.dossiers import downloads, services
from motcua.dossiers.actions import (
    ActionIn,
    ActionSpec,
    ComponentIn,
    action_names_allowed,
    action_perform,
    action_spec,
    action_specs,
    components_resolve,
    error_response,
    unit_by_agency_code,
)
from motcua.dossiers.errors import DossierError, DossierInvalid
from motcua.dossiers.models import (
    CLOSED_STATUSES,
    ApplicantKind,
    Dossier,
    DossierResultDocument,
    DossierState,
    DvcqgStatus,
)
from motcua.dossiers.rules import PERSONAL_DATA_MESSAGE, is_applicant, sees_personal_data
from motcua.dossiers.selectors import (
    MAX_PAGE_SIZE,
    dossier_flags,
    dossier_get_for_official,
    dossier_get_visible,
    dossier_list_for_applicant,
    dossier_queue,
    dossier_rows_seed,
    procedure_for_receipt,
)
from motcua.identity.auth import api_auth
from motcua.identity.selectors import idempotent_request_get
from motcua.identity.services import idempotent_request_insert
from motcua.org.models import Role, Unit
from motcua.org.selectors import official_display_name
from motcua.privacy.services import personal_data_access_record

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
    id_number: str = Field(
        "",
        max_length=20,
        description="Số định danh cá nhân (12 chữ số) / mã số thuế (0100109106 hoặc 0100109106-001)",
    )
    birth_date: date | None = None
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)


class RepresentativeIn(Schema):
    """Representative — người được ủy quyền nộp thay."""

    name: str = Field(min_length=1, max_length=255)
    id_number: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)


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
    components: list[ComponentIn] = Field(
        default_factory=list,
        max_length=100,
        description="Thành phần hồ sơ nộp: phải có mọi giấy tờ bắt buộc của thủ tục (theo số thứ tự trong "
        "danh mục); thủ tục chưa công bố thành phần hồ sơ: ít nhất một giấy tờ ghi tên",
    )
    fee_case: str = Field(
        "",
        max_length=300,
        description="Trường hợp tính phí: một giá trị trong fee_cases của GET /procedures/{code} (các mức "
        "thay thế nhau theo trường hợp); để trống: trường hợp đầu tiên của biểu phí. Điều kiện của một "
        "khoản thu khi phát sinh (condition, ví dụ «nếu có yêu cầu») không phải trường hợp: bị từ chối",
    )


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
    started_at: ApiDateTime
    due_at: ApiDateTime | None
    finished_at: ApiDateTime | None


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


class ResultDocumentOut(Schema):
    """The signed result document — văn bản kết quả giải quyết (PDF)."""

    id: int
    name: str
    sha256: str
    size: int
    uploaded_at: ApiDateTime
    download_url: str = Field(
        description="GET: the PDF, for officials of the dossier's units or the applicant"
    )


class FeeLineOut(Schema):
    name: str
    amount_vnd: int
    explanation: str
    paid: bool


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
    submitted_at: ApiDateTime
    received_at: ApiDateTime | None
    due_at: ApiDateTime | None
    appointment_reason: str = Field(
        "",
        description="Thủ tục chưa công bố thời hạn: lý do cán bộ tiếp nhận ấn định ngày hẹn trả (due_at)",
    )
    finished_at: ApiDateTime | None
    returned_at: ApiDateTime | None
    outcome: str
    due_soon: bool
    overdue: bool
    extended: bool
    fees_total: int = Field(description="Known amount due (VND); see fee_status before reading 0 as free")
    fees_paid: bool
    fee_status: str = Field(
        description="due | free | unpublished | partial; empty: received before fee rules"
    )
    fee_status_label: str
    fee_summary: str = Field(description='"Phải nộp: 20.000 đồng", "Miễn phí", "Chưa công bố mức thu"…')
    fee_explanation: str = Field(description="Which fee lines applied and why (snapshot at submission)")
    fee_case: str
    fees: list[FeeLineOut]
    state_reason: str
    components: list[ComponentOut]
    # Officials: from the signature on; the applicant: once the result is ready (status 9) or returned.
    result_documents: list[ResultDocumentOut]
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
    submitted_at: ApiDateTime
    due_at: ApiDateTime | None
    due_soon: bool
    overdue: bool
    row_version: int


class DossierPageOut(Schema):
    total: int
    page: int
    page_size: int
    items: list[DossierListItemOut]


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _unit_ref(unit: Unit) -> UnitRef:
    return UnitRef.model_construct(agency_code=unit.agency_code, name=unit.name)


def _official_name(user: Account | None) -> str | None:
    return None if user is None else official_display_name(user)


def _dossier_out(d: Dossier, *, user: Account) -> DossierOut:
    """The answer of every dossier GET and action. Built with ``model_construct``: the values come from
    the database row, already of the schema's types, and Ninja's validation of each nested schema
    (its ``DjangoGetter`` wrapper, field by field) was a millisecond of every request. Serialisation
    still goes by the schema (``ApiDateTime``, OpenAPI unchanged);
    ``test_dossier_out_is_what_the_schema_validates`` checks the values against it."""
    # Officials' names are for officials; the applicant sees units only (as on the public page).
    show_names = not is_applicant(user, d)
    step = d.current_step
    flags = dossier_flags(dossier=d)
    return DossierOut.model_construct(
        code=d.code,
        status=d.status,
        status_label=str(DvcqgStatus(d.status).label),
        state=d.state,
        state_label=str(DossierState(d.state).label),
        channel=d.channel,
        row_version=d.row_version,
        procedure=ProcedureRef.model_construct(code=d.procedure.code, name=d.procedure.name),
        receiving_unit=_unit_ref(d.receiving_unit),
        competent_unit=_unit_ref(d.competent_unit),
        current_unit=_unit_ref(d.current_unit),
        current_step=StepOut.model_construct(
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
        applicant=ApplicantOut.model_construct(
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
        appointment_reason=d.appointment_reason,
        finished_at=d.finished_at,
        returned_at=d.returned_at,
        outcome=d.outcome,
        due_soon=flags.due_soon,
        overdue=flags.overdue,
        extended=d.extended,
        fees_total=d.fees_total,
        fees_paid=d.fees_paid,
        fee_status=d.fee_status,
        fee_status_label=d.get_fee_status_display() if d.fee_status else "",
        fee_summary=d.fee_summary,
        fee_explanation=d.fee_explanation,
        fee_case=d.fee_case,
        # .all(): seeded by the receipt for a dossier just created, else one query.
        fees=[
            FeeLineOut.model_construct(
                name=f.name, amount_vnd=f.amount_vnd, explanation=f.explanation, paid=f.paid_at is not None
            )
            for f in sorted(d.fees.all(), key=lambda f: f.pk or 0)
        ],
        state_reason=d.state_reason,
        components=[
            ComponentOut.model_construct(
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
        result_documents=[
            ResultDocumentOut.model_construct(
                id=r.pk,
                name=r.name,
                sha256=r.sha256,
                size=r.size,
                uploaded_at=r.uploaded_at,
                download_url=f"/api/v1/dossiers/{d.code}/results/{r.pk}",
            )
            for r in _result_documents_for(d, user=user)
        ],
        allowed_actions=action_names_allowed(actor=user, dossier=d),
    )


def _result_documents_for(d: Dossier, *, user: Account) -> list[DossierResultDocument]:
    # Only a signed dossier has one: the others cost no query.
    if d.signed_at is None:
        return []
    if is_applicant(user, d) and d.status not in downloads.RESULT_VISIBLE_STATUSES:
        return []
    return downloads.result_documents(dossier=d)


def _error(status: int, detail: str, *, code: str) -> Status[ErrorOut]:
    return Status(status, ErrorOut(detail=detail, code=code))


def _engine_error(exc: DossierError, *, spec: ActionSpec | None = None) -> Status[ErrorOut]:
    """The engine's typed errors as HTTP, by the registry's one mapping (``actions.error_response``)."""
    status, body = error_response(exc, spec=spec)
    return Status(status, ErrorOut.model_validate(body))


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


def _body_hash(body: SubmitIn) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    """Submit a dossier online (status 1, Mới đăng ký).

    Open to citizens and organisations (their own dossiers), reception officials of the receiving unit
    and service accounts granted ``dossiers.submit_dossier``; anyone else gets 403 and nothing is created.

    ``Idempotency-Key`` is required: a retry with the same key and body returns the same dossier with
    200; the same key with another body is refused with 422; concurrent retries create one dossier.

    400 when a required document of the catalogue is missing (``errors["components.document_<order>"]``
    names each, ``errors["components"]`` sums up) and when the procedure has no published processing
    time (``errors["procedure"]``: online submission is closed for it; submit at a counter).
    """
    user = request.auth  # type: ignore[attr-defined]
    key = (idempotency_key or "").strip()
    if not key or len(key) > 80:
        return _error(400, IDEMPOTENCY_MISSING, code="idempotency_key_missing")
    body_hash = _body_hash(body)
    try:
        stamp = reference_data_stamp()  # one read for the procedure and both units
        procedure = _procedure(body.procedure, stamp=stamp)
        receiving = unit_by_agency_code(body.receiving_unit, field="receiving_unit", stamp=stamp)
        chosen = (
            unit_by_agency_code(body.chosen_unit, field="chosen_unit", stamp=stamp)
            if body.chosen_unit
            else None
        )
        components = components_resolve(procedure, body.components)
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
                fee_case=body.fee_case,
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
        return _engine_error(_body_paths(exc))
    except IntegrityError:
        previous = idempotent_request_get(user=user, scope=SUBMIT_SCOPE, key=key)
        if previous is None:
            raise  # not the key's record: a real integrity failure
        return _replay(previous.request_hash, previous.result_ref, body_hash=body_hash, user=user)
    # The dossier as the service created it: procedure, units and components are already in memory
    # (no reload with an 11-table join). A dossier the service found by its own idempotency check
    # (the key used outside this API) loads what the answer needs lazily.
    return Status(201, _dossier_out(d, user=user))


def _body_paths(exc: DossierError) -> DossierError:
    """The engine's applicant fields (``applicant_phone``) as the body's paths (``applicant.phone``)."""
    if not isinstance(exc, DossierInvalid):
        return exc
    paths = {}
    for field, message in exc.errors.items():
        for prefix in ("applicant", "representative"):
            if field.startswith(f"{prefix}_"):
                field = f"{prefix}.{field.removeprefix(f'{prefix}_')}"
                break
        paths[field] = message
    return DossierInvalid(paths)


def _replay(
    request_hash: str, code: str, *, body_hash: str, user: Account
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
    q: str | None = Field(
        None,
        max_length=100,
        description="Tìm trong mọi hồ sơ (kể cả đã kết thúc): mã hồ sơ hoặc phần đầu, họ tên người nộp "
        "(không phân biệt dấu), số định danh / mã số thuế",
    )
    status: int | None = Field(
        None, ge=1, le=10, description="Trạng thái DVCQG 1–10 (3, 7, 8, 10: hồ sơ đã kết thúc)"
    )
    unit: str | None = Field(None, max_length=40, description="Mã định danh một đơn vị của bạn")
    procedure: str | None = Field(None, max_length=60, description="Mã thủ tục")
    due_before: datetime | None = Field(None, description="Hẹn trả trước thời điểm này")
    overdue: bool = False
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


@router.get("", response={200: DossierPageOut, 400: ErrorOut}, summary="Danh sách hồ sơ (đơn vị; của tôi)")
def dossiers_list(
    request: HttpRequest, filters: Query[ListFilters]
) -> Status[DossierPageOut] | Status[ErrorOut]:
    """Open dossiers now in the caller's units (officials), most urgent first; ``total`` for paging.

    A citizen or organisation account (its own token or its session) gets **its own dossiers** instead
    — those whose applicant account it is, online or received at a counter and linked to it — newest
    first, open and closed, in the same schema (``assignee_name`` is always null: officials' names are
    not shown to applicants). For them only ``status``, ``page`` and ``page_size`` apply; the other
    filters are ignored. Another person's dossier never appears, and ``GET /dossiers/{code}`` of one is
    a 404.

    ``unit`` narrows to one of the caller's units (another unit gives an empty list); ``overdue``
    keeps dossiers whose running clock has passed the appointment. ``q`` searches every dossier of the
    caller's units, open or closed, newest first (code or its beginning, applicant name without
    diacritics, ID number); so does a closed status (3, 7, 8, 10). A report viewer or province admin gets
    the applicant's initials only, and ``q`` matches codes only for them.

    Searching by a name or an ID number: use ``POST /dossiers/search`` (same filters in the body), so
    that personal data stays out of URLs and access logs (Decree 13/2023, docs/privacy.md).
    """
    return _dossiers_page(request, filters)


@router.post(
    "/search",
    response={200: DossierPageOut, 400: ErrorOut},
    summary="Tìm hồ sơ (bộ lọc trong thân yêu cầu)",
)
def dossiers_search(request: HttpRequest, filters: ListFilters) -> Status[DossierPageOut] | Status[ErrorOut]:
    """``GET /dossiers`` with the filters in a JSON body: a search by applicant name or ID number never
    travels in a URL, where every proxy and server access log would keep it. Read-only; same answer."""
    return _dossiers_page(request, filters)


def _dossiers_page(request: HttpRequest, filters: ListFilters) -> Status[DossierPageOut] | Status[ErrorOut]:
    user = request.auth  # type: ignore[attr-defined]
    if user.kind in APPLICANT_KINDS:
        return Status(200, _applicant_page(user, filters))
    try:
        unit = unit_by_agency_code(filters.unit, field="unit") if filters.unit else None
        procedure_id = _procedure(filters.procedure).pk if filters.procedure else None
    except DossierInvalid as exc:
        return _engine_error(exc)
    due_before = filters.due_before
    if due_before is not None and timezone.is_naive(due_before):
        due_before = timezone.make_aware(due_before)
    page = dossier_queue(
        user=user,
        # A closed status or a search looks at every dossier of the caller's units, not only open ones.
        scope="all" if filters.status in CLOSED_STATUSES else "unit",
        search=filters.q,
        status=filters.status,
        procedure=procedure_id,
        overdue=filters.overdue,
        due_before=due_before,
        unit=unit,
        page=filters.page,
        page_size=filters.page_size,
    )
    items = [
        _list_item(
            item.dossier,
            assignee_name=_official_name(item.dossier.current_assignee),
            applicant_name=item.applicant_display,
            due_soon=item.due_soon,
            overdue=item.overdue,
        )
        for item in page.items
    ]
    return Status(
        200, DossierPageOut(total=page.total, page=page.page, page_size=page.page_size, items=items)
    )


def _list_item(
    d: Dossier, *, assignee_name: str | None, applicant_name: str, due_soon: bool, overdue: bool
) -> DossierListItemOut:
    """One row of a dossier list; who is named (assignee, applicant) depends on who asks."""
    return DossierListItemOut(
        code=d.code,
        status=d.status,
        status_label=str(DvcqgStatus(d.status).label),
        state=d.state,
        procedure=ProcedureRef(code=d.procedure.code, name=d.procedure.name),
        current_unit=_unit_ref(d.current_unit),
        current_step_name=d.current_step.name if d.current_step else None,
        assignee_name=assignee_name,
        applicant_name=applicant_name,
        channel=d.channel,
        submitted_at=d.submitted_at,
        due_at=d.due_at,
        due_soon=due_soon,
        overdue=overdue,
        row_version=d.row_version,
    )


APPLICANT_KINDS = frozenset({AccountKind.CITIZEN, AccountKind.ORGANISATION})


def _applicant_page(user: Account, filters: ListFilters) -> DossierPageOut:
    page = dossier_list_for_applicant(
        user=user, status=filters.status, page=filters.page, page_size=filters.page_size
    )
    # The applicant sees their own name and no official's.
    items = [
        _list_item(
            item.dossier,
            assignee_name=None,
            applicant_name=item.dossier.applicant_name,
            due_soon=item.due_soon,
            overdue=item.overdue,
        )
        for item in page.items
    ]
    return DossierPageOut(total=page.total, page=page.page, page_size=page.page_size, items=items)


@router.get("/{code}", response={200: DossierOut, 403: ErrorOut, 404: ErrorOut}, summary="Chi tiết hồ sơ")
def dossiers_get(request: HttpRequest, code: str) -> Status[DossierOut] | Status[ErrorOut]:
    """One dossier, for its applicant or an official with a role in one of its units (else 404).

    403 ``personal_data``: a report viewer or province admin reaches the dossier's unit but reads only
    lists and counts (the list gives the applicant's initials), never the dossier's personal data.
    """
    user = request.auth  # type: ignore[attr-defined]
    d = dossier_get_for_official(user=user, code=code)
    if d is None:
        return _not_found(code)
    if not sees_personal_data(user, d):
        return _error(403, PERSONAL_DATA_MESSAGE, code="personal_data")
    _access_record(request, user=user, dossier=d, what="API đọc hồ sơ")
    return Status(200, _dossier_out(dossier_rows_seed(d), user=user))


def _access_record(request: HttpRequest, *, user: Account, dossier: Dossier, what: str) -> None:
    """An official's read through the API, in the personal-data access log (the applicant's own: not)."""
    if not is_applicant(user, dossier):
        personal_data_access_record(
            official=user,
            dossier=dossier,
            what=what,
            channel="api",
            request_id=request.headers.get("X-Request-ID", ""),
        )


@router.get(
    "/{code}/results/{document_id}",
    response={403: ErrorOut, 404: ErrorOut},
    summary="Tải văn bản kết quả giải quyết (PDF)",
    # The 200 is the file itself, not a schema ninja can describe: listed by hand.
    openapi_extra={
        "responses": {
            200: {
                "description": "Tệp PDF của văn bản kết quả (tệp đính kèm)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def dossiers_result_download(
    request: HttpRequest, code: str, document_id: int
) -> HttpResponseBase | Status[ErrorOut]:
    """The signed result PDF (``application/pdf``, attachment, ``Cache-Control: private, no-store``).

    For an official with a role in one of the dossier's units, or for the applicant once the result is
    ready (status 9) or returned (10); anyone else, or the applicant before, gets 404 as for an unknown
    dossier. The bytes are those uploaded at the signing step: ``sha256`` in the dossier's
    ``result_documents`` (and in the ``record_signature`` event) identifies them.
    """
    user = request.auth  # type: ignore[attr-defined]
    d = dossier_get_for_official(user=user, code=code)
    if d is None:
        return _not_found(code)
    if not sees_personal_data(user, d):
        return _error(403, PERSONAL_DATA_MESSAGE, code="personal_data")
    document = next((r for r in _result_documents_for(d, user=user) if r.pk == document_id), None)
    if document is None:
        return _error(404, "Không tìm thấy văn bản kết quả.", code="not_found")
    _access_record(request, user=user, dossier=d, what=f"API tải kết quả: {document.name}")
    try:
        return downloads.result_response(document)
    except Http404:
        return _error(404, "Tệp đã bị xóa khỏi kho lưu trữ.", code="not_found")


# --------------------------------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------------------------------

_ACTION_RESPONSES = {
    200: DossierOut,
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
}


_ACTION_NOTES = (
    "``row_version`` is the version the caller saw; unknown fields are refused (400). "
    "409 ``conflict``: changed by someone else meanwhile (reload and retry) · "
    "409 ``action_not_allowed``: impossible in the current state or step · "
    "403: the caller lacks the role · 404: unknown or invisible dossier."
)


def _action_operation(spec: ActionSpec) -> Callable[..., Status[DossierOut] | Status[ErrorOut]]:
    def operation(request: HttpRequest, code: str, body: ActionIn) -> Status[DossierOut] | Status[ErrorOut]:
        user = request.auth  # type: ignore[attr-defined]
        # Only what the visibility check needs: the service locks and reads the row itself.
        d = dossier_get_visible(user=user, code=code)
        if d is None:
            return _not_found(code)
        if not sees_personal_data(user, d):
            # Overseers hold no step role, so the engine would refuse too; say why without the dossier.
            return _error(403, PERSONAL_DATA_MESSAGE, code="personal_data")
        try:
            d = action_perform(action=spec.action, actor=user, dossier=d, data=body.model_dump())
        except DossierError as exc:
            return _engine_error(exc, spec=spec)
        # The dossier as the service left it — locked, read and changed in the transaction, its
        # relations attached (``dossier_lock``): no reload.
        return Status(200, _dossier_out(d, user=user))

    # Ninja reads the body's schema from the annotation: the action's own, so OpenAPI documents it.
    operation.__annotations__ = {**operation.__annotations__, "body": spec.schema}
    operation.__name__ = f"dossiers_{spec.action}"
    operation.__doc__ = f"``{spec.action}`` — {(spec.schema.__doc__ or '').strip()}\n\n{_ACTION_NOTES}"
    return operation


for _spec in action_specs():
    router.add_api_operation(
        f"/{{code}}/actions/{_spec.action}",
        ["POST"],
        _action_operation(_spec),
        response=_ACTION_RESPONSES,
        summary=_spec.label,
        operation_id=f"dossiers_{_spec.action}",
    )


@router.post("/{code}/actions/{action}", response={400: ErrorOut}, include_in_schema=False)
def dossiers_act_unknown(request: HttpRequest, code: str, action: str) -> Status[ErrorOut]:
    """Any other action name: a 400 naming the known ones (registered last, after every real action)."""
    try:
        action_spec(action)
    except DossierInvalid as exc:  # the same answer as a bad parameter
        return Status(400, ErrorOut(detail=validation_detail(exc.errors), code="invalid", errors=exc.errors))
    raise AssertionError(f"{action} has its own operation")  # pragma: no cover


__all__ = ["router"]
