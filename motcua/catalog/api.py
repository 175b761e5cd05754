"""Procedure catalogue API: ``GET /api/v1/procedures`` (search) and ``GET /api/v1/procedures/{code}``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from motcua.catalog.fees import fee_case_choices, fee_case_name, fee_condition
from motcua.catalog.models import Level, Procedure, ProcessDefinition
from motcua.catalog.public import citizen_text, citizen_texts, public_fees
from motcua.catalog.selectors import (
    MAX_QUERY_LENGTH,
    ONLINE_FILTERS,
    PAGE_SIZE,
    field_get,
    page_count,
    procedure_get,
    procedure_list,
)
from motcua.core.api_errors import ErrorOut, error_body
from motcua.core.api_time import ApiDateTime
from motcua.core.formatting import format_vnd

router = Router(tags=["Thủ tục hành chính"])


class DurationOut(Schema):
    amount: float | None
    unit: str | None


class ProcessingTimeOut(Schema):
    amount: float | None
    unit: str | None
    text: str


class FieldOut(Schema):
    id: int
    code: str
    name: str


class ProcedureItemOut(Schema):
    code: str
    name: str
    field: FieldOut | None
    level: str | None
    service_level: str | None
    processing_time: ProcessingTimeOut | None
    popularity: int
    url: str


class ProcedureListOut(Schema):
    total: int
    page: int
    page_size: int
    items: list[ProcedureItemOut]


class DocumentOut(Schema):
    order: int
    name: str
    copies: str
    form_template: str
    required: bool
    note: str


class FeeOut(Schema):
    """Một khoản phí, lệ phí và khi nào áp dụng; các mức theo kênh nộp hoặc theo trường hợp là các mức
    thay thế nhau, không cộng dồn."""

    order: int
    name: str
    amount_vnd: int | None = Field(description="null: chưa công bố mức thu; 0: miễn phí")
    amount_text: str
    basis: str = Field(
        description="Cách tính: fixed (mỗi hồ sơ) | per_page (mỗi trang) | per_copy (mỗi bản) | per_case "
        "(mỗi trường hợp) | per_transaction (mỗi giao dịch)"
    )
    channel: str = Field(
        description="Kênh nộp áp dụng mức này: any (mọi kênh) | counter (nộp trực tiếp) | online (nộp "
        "trực tuyến)"
    )
    case_group: str = Field(
        description="Các khoản cùng case_group là các mức thay thế nhau, mỗi trường hợp một mức"
    )
    case_name: str = Field(
        description="Trường hợp áp dụng mức này (chỉ có ở khoản thuộc một case_group; là một giá trị của "
        "fee_cases, gửi nguyên văn làm fee_case); để trống ở các khoản khác"
    )
    conditional: bool = Field(
        description="Chỉ thu khi phát sinh điều kiện (có yêu cầu cấp bản sao…), không thu khi nộp hồ sơ"
    )
    condition: str = Field(
        description='Điều kiện thu của khoản có điều kiện ("nếu có yêu cầu"); là điều kiện, không phải '
        "trường hợp: không gửi làm fee_case"
    )
    applies_when: str
    exemption: str
    scale: str = Field(
        description="Biểu mức đầy đủ của khoản tính theo đơn vị (trang, bản…); để trống ở các khoản khác"
    )


class ProcessStepOut(Schema):
    order: int
    name: str
    actor_text: str
    actor_unit_kind: str
    actor_role: str
    duration: DurationOut | None
    task: str


class ProcessOut(Schema):
    version: int
    source: str
    total: DurationOut | None
    steps: list[ProcessStepOut]


class ProcedureDetailOut(ProcedureItemOut):
    level_label: str | None
    service_level_label: str | None
    audience: list[str]
    is_vertical: bool
    is_active: bool
    competent_authority: str
    implementing_agency: str
    processing_time_extra: list[dict[str, Any]]
    steps: list[str]
    result: str
    legal_basis: list[str]
    documents: list[DocumentOut]
    fees: list[FeeOut]
    fee_cases: list[str] = Field(
        description="Các giá trị POST /dossiers nhận làm fee_case: các trường hợp của những mức thay thế "
        "nhau (các khoản cùng case_group), theo thứ tự biểu phí; rỗng: biểu phí không có trường hợp để "
        "chọn, để trống fee_case"
    )
    process: ProcessOut | None
    version: int
    versions_count: int
    updated_at: ApiDateTime


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _duration(amount: Decimal | None, unit: str) -> dict[str, Any] | None:
    if amount is None and not unit:
        return None
    return {"amount": _number(amount), "unit": unit or None}


def _item(procedure: Procedure) -> dict[str, Any]:
    field = procedure.field
    has_time = procedure.processing_time_amount is not None or procedure.processing_time_unit
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": {"id": field.pk, "code": field.code, "name": field.name} if field else None,
        "level": procedure.level or None,
        "service_level": procedure.service_level or None,
        "processing_time": {
            "amount": _number(procedure.processing_time_amount),
            "unit": procedure.processing_time_unit or None,
            "text": citizen_text(procedure.processing_time_text),
        }
        if has_time or procedure.processing_time_text
        else None,
        "popularity": procedure.popularity,
        "url": reverse("catalog:procedure_detail", args=[procedure.code]),
    }


def _process(definition: ProcessDefinition) -> dict[str, Any]:
    return {
        "version": definition.version,
        "source": definition.source,
        "total": _duration(definition.total_amount, definition.total_unit),
        "steps": [
            {
                "order": step.order,
                "name": step.name,
                "actor_text": citizen_text(step.actor_text),
                "actor_unit_kind": step.actor_unit_kind,
                "actor_role": step.actor_role,
                "duration": _duration(step.duration_amount, step.duration_unit),
                "task": citizen_text(step.task),
            }
            for step in definition.steps.all()
        ],
    }


def _detail(procedure: Procedure) -> dict[str, Any]:
    fees = list(procedure.fees.all())
    current: list[ProcessDefinition] = getattr(procedure, "current_processes", [])
    return {
        **_item(procedure),
        "level_label": procedure.get_level_display() if procedure.level else None,
        "service_level_label": procedure.get_service_level_display() if procedure.service_level else None,
        "audience": [
            kind
            for kind, flag in (
                ("citizen", procedure.audience_citizen),
                ("business", procedure.audience_business),
            )
            if flag
        ],
        "is_vertical": procedure.is_vertical,
        "is_active": procedure.is_active,
        "competent_authority": citizen_text(procedure.competent_authority),
        "implementing_agency": citizen_text(procedure.implementing_agency),
        "processing_time_extra": [
            {**extra, "text": citizen_text(str(extra.get("text") or ""))}
            for extra in procedure.processing_time_extra or []
            if isinstance(extra, dict)
        ],
        # Internal data notes (``notes``, ``sources``, fee notes) are not published (catalog.public).
        "steps": citizen_texts(procedure.steps),
        "result": citizen_text(procedure.result),
        "legal_basis": citizen_texts(procedure.legal_basis),
        "documents": [
            {
                "order": d.order,
                "name": d.name,
                "copies": d.copies,
                "form_template": d.form_template,
                "required": d.required,
                "note": citizen_text(d.note),
            }
            for d in procedure.documents.all()
        ],
        "fees": [
            {
                "order": f.order,
                "name": f.name,
                "amount_vnd": f.amount_vnd,
                "amount_text": format_vnd(f.amount_vnd),
                "basis": f.basis,
                "channel": f.channel,
                "case_group": f.case_group,
                "case_name": fee_case_name(f),
                "conditional": f.conditional,
                "condition": fee_condition(f),
                "applies_when": public.applies_when,
                "exemption": public.exemption,
                "scale": public.scale,
            }
            for f, public in zip(fees, public_fees(fees), strict=True)
        ],
        "fee_cases": fee_case_choices(fees),
        "process": _process(current[0]) if current else None,
        "version": procedure.version,
        "versions_count": getattr(procedure, "versions_count", 0),
        "updated_at": procedure.updated_at,
    }


@router.get(
    "",
    response={200: ProcedureListOut, 400: ErrorOut},
    summary="Tìm kiếm thủ tục hành chính",
    url_name="procedure_list",
)
def procedure_list_api(
    request: HttpRequest, q: str = "", field: str = "", level: str = "", online: str = "", page: int = 1
) -> Status[Any]:
    """Search active procedures, best match first (empty ``q``: most popular first), 20 per page.

    * ``q`` — name or code, with or without diacritics, typos tolerated (≤ 200 characters);
    * ``field`` — field (lĩnh vực) id or code;
    * ``level`` — ``province`` | ``commune`` | ``both`` | ``central``; province and commune include
      procedures done at both levels;
    * ``online`` — ``full`` | ``partial`` (also ``full_online`` | ``partial_online``, ``offline``);
    * ``page`` — from 1; a page past the last one is an error.
    """
    q = q.strip()
    if len(q) > MAX_QUERY_LENGTH:
        return Status(400, error_body(400, f"Từ khóa tìm kiếm dài quá {MAX_QUERY_LENGTH} ký tự."))
    if level and level not in Level.values:
        allowed = ", ".join(Level.values)
        return Status(400, error_body(400, f"Cấp thực hiện không hợp lệ: “{level}” (chấp nhận: {allowed})."))
    if online and online not in ONLINE_FILTERS:
        return Status(
            400,
            error_body(
                400, f"Mức độ trực tuyến không hợp lệ: “{online}” (chấp nhận: full, partial, offline)."
            ),
        )
    if page < 1:
        return Status(400, error_body(400, "Số trang phải từ 1 trở lên."))
    field_id: int | None = None
    if field.strip():
        found = field_get(key=field.strip())
        if found is None:
            return Status(400, error_body(400, f"Không có lĩnh vực “{field.strip()}”."))
        field_id = found.pk

    result = procedure_list(
        query=q,
        field_id=field_id,
        level=level or None,
        service_level=ONLINE_FILTERS.get(online),
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    pages = page_count(result.total)
    if page > pages:
        return Status(400, error_body(400, f"Trang {page} vượt quá số trang hiện có ({pages})."))
    return Status(
        200,
        {
            "total": result.total,
            "page": page,
            "page_size": PAGE_SIZE,
            "items": [_item(p) for p in result.items],
        },
    )


@router.get(
    "/{code}",
    response={200: ProcedureDetailOut, 404: ErrorOut},
    summary="Chi tiết thủ tục hành chính",
    url_name="procedure_detail",
)
def procedure_detail_api(request: HttpRequest, code: str) -> Status[Any]:
    """Full content of one procedure: documents, fees, steps, the current internal process."""
    try:
        procedure = procedure_get(code=code)
    except Procedure.DoesNotExist:
        return Status(404, error_body(404, f"Không tìm thấy thủ tục có mã “{code}”."))
    if not procedure.applies_here:
        return Status(
            404,
            error_body(
                404,
                f"Thủ tục {procedure.code} là thủ tục riêng của địa phương khác, "
                "không áp dụng tại Quảng Ninh.",
            ),
        )
    return Status(200, _detail(procedure))
