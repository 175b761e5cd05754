"""Public tracking API: ``GET /api/v1/public/dossiers/{code}`` (mounted by ``motcua.api``).

Anonymous, no session or CSRF work (Ninja views are CSRF-exempt and this router has no auth), the same
data and rate limits as the /tra-cuu page (``portal.tracking``). The verifier (4 last digits of the
applicant's phone or ID number) goes preferably in the ``X-Verifier`` header — query strings end up in
access logs; ``?verifier=`` is accepted too.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema

from motcua.core.api_errors import ErrorOut, error_body
from motcua.core.api_time import ApiDateTime, api_datetime_or_none
from motcua.dossiers.selectors import PublicDossierView
from motcua.portal.selectors import public_current_step
from motcua.portal.tracking import TrackingResult, tracking_lookup

router = Router(tags=["Tra cứu công khai"])


class PublicStepOut(Schema):
    """One step of the process as the public sees it: the unit, never the official."""

    name: str
    unit_name: str
    started_at: ApiDateTime
    due_at: ApiDateTime | None
    finished_at: ApiDateTime | None
    status_label: str
    outcome: str  # "early" | "on_time" | "late" | "" (not finished)
    outcome_label: str  # Trước hạn / Đúng hạn / Quá hạn


class SupplementItemOut(Schema):
    name: str
    note: str = ""


class PublicDossierOut(Schema):
    """Tracking data of a dossier (tra cứu hồ sơ). ``verified`` fields are null without a correct verifier."""

    code: str
    status: int  # DVCQG TrangThaiHoSo 1–10
    status_label: str
    procedure_code: str
    procedure_name: str
    submitted_at: ApiDateTime
    received_at: ApiDateTime | None
    appointed_at: ApiDateTime | None  # hẹn trả kết quả
    finished_at: ApiDateTime | None
    returned_at: ApiDateTime | None
    current_unit_name: str
    current_step_name: str | None
    outcome: str
    outcome_label: str
    overdue: bool
    steps: list[PublicStepOut]
    verified: bool
    applicant_initials: str | None
    supplement_items: list[SupplementItemOut] | None
    reason: str | None


def _local(value: datetime | None) -> str | None:
    return api_datetime_or_none(value)


def public_dossier_dict(view: PublicDossierView) -> dict[str, object]:
    """The JSON body (shape ``PublicDossierOut``), times as ``core.api_time`` writes them."""
    current = public_current_step(view)
    return {
        "code": view.code,
        "status": view.status,
        "status_label": view.status_label,
        "procedure_code": view.procedure_code,
        "procedure_name": view.procedure_name,
        "submitted_at": _local(view.submitted_at),
        "received_at": _local(view.received_at),
        "appointed_at": _local(view.appointed_at),
        "finished_at": _local(view.finished_at),
        "returned_at": _local(view.returned_at),
        "current_unit_name": view.current_unit_name,
        "current_step_name": current.name if current else None,
        "outcome": view.outcome,
        "outcome_label": view.outcome_label,
        "overdue": view.overdue,
        "steps": [
            {
                "name": s.name,
                "unit_name": s.unit_name,
                "started_at": _local(s.started_at),
                "due_at": _local(s.due_at),
                "finished_at": _local(s.finished_at),
                "status_label": s.status_label,
                "outcome": s.outcome,
                "outcome_label": s.outcome_label,
            }
            for s in view.steps
        ],
        "verified": view.verified,
        "applicant_initials": view.applicant_initials,
        "supplement_items": (
            [{"name": str(i.get("name", "")), "note": str(i.get("note", ""))} for i in view.supplement_items]
            if view.supplement_items is not None
            else None
        ),
        "reason": view.reason,
    }


def _json(status: int, body: object, result: TrackingResult | None = None) -> HttpResponse:
    # Serialised here rather than through the response schema: this is the hot public path and the
    # dict above is already exactly PublicDossierOut (tests validate it against the schema).
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"  # status must be current; a verified body is personal data
    if result is not None and result.limited:
        response["Retry-After"] = str(result.retry_after)
    return response


@router.get(
    "/dossiers/{code}",
    response={200: PublicDossierOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Tra cứu tình trạng hồ sơ theo mã",
)
def public_dossier_get(
    request: HttpRequest,
    code: str,
    verifier: str | None = Query(None, description="4 số cuối điện thoại hoặc số định danh người nộp"),
    x_verifier: str | None = Header(None, alias="X-Verifier", description="Như verifier, ưu tiên dùng"),
) -> HttpResponse:
    """Status (DVCQG), procedure, received and appointed times, current unit and the step timeline with
    on-time marks. With the verifier: the applicant's initials, requested supplement items and the
    reason of a refusal. 404 for an unknown code; 429 when rate-limited (``Retry-After``)."""
    result = tracking_lookup(request=request, code=code, verifier=x_verifier or verifier)
    if result.view is None:
        return _json(result.status, error_body(result.status, result.message), result)
    return _json(200, public_dossier_dict(result.view))
