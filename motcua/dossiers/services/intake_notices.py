"""Intake notices — hướng dẫn bổ sung, từ chối tiếp nhận tại quầy: the slip instead of a receipt.

At the counter an incomplete dossier is not received (Decree 61/2018 art. 19): the officer guides the
applicant with form 02 (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ), listing what is missing, or refuses it
with form 03 (phiếu từ chối tiếp nhận) and the reasons. Nothing is received — no dossier, code or
clock — but the slip is recorded (``IntakeNotice``): who issued what to whom, and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.errors import DossierInvalid, DossierPermissionDenied
from motcua.dossiers.models import IntakeNotice, IntakeNoticeKind
from motcua.dossiers.services.components import components_missing
from motcua.dossiers.services.inputs import (
    ApplicantData,
    ComponentData,
    RequestedItem,
    errors_collected,
    text_clean,
)
from motcua.dossiers.services.receipt import applicant_clean
from motcua.dossiers.services.recording import Actor, actor_name, user_holds
from motcua.org.models import Role, Unit

MAX_ITEMS = 50


def intake_missing_items(procedure: Procedure, components: Sequence[ComponentData]) -> list[RequestedItem]:
    """Form 02's list for a counter receipt: each required document the applicant did not bring."""
    return [
        RequestedItem(name=doc.name, note="Thành phần hồ sơ bắt buộc chưa nộp.")
        for doc in components_missing(procedure, components, electronic=False)
    ]


def _items_clean(items: Sequence[RequestedItem]) -> list[dict[str, str]]:
    cleaned = []
    for item in items:
        name = text_clean(
            item.name, field="items", label="nội dung cần bổ sung", required=False, max_length=500
        )
        note = text_clean(item.note, field="items", label="lý do", required=False, max_length=1000)
        if name:
            cleaned.append({"name": name, "note": note})
    if not cleaned:
        raise DossierInvalid(
            {"items": "Vui lòng nêu ít nhất một nội dung người nộp cần bổ sung, hoàn thiện."}
        )
    if len(cleaned) > MAX_ITEMS:
        raise DossierInvalid({"items": f"Tối đa {MAX_ITEMS} nội dung cần bổ sung."})
    return cleaned


def intake_notice_issue(
    *,
    actor: Actor,
    receiving_unit: Unit,
    procedure: Procedure,
    applicant: ApplicantData,
    kind: str,
    items: Sequence[RequestedItem] = (),
    reason: str = "",
) -> IntakeNotice:
    """Record form 02 (``kind`` supplement: ``items`` required, ``reason`` an optional note) or form 03
    (refusal: ``reason`` required) issued at ``receiving_unit``'s counter; no dossier is created."""
    if actor is None or not user_holds(actor, receiving_unit, Role.RECEPTION):
        raise DossierPermissionDenied(
            f"Chỉ cán bộ tiếp nhận của {receiving_unit.name} được hướng dẫn hoặc từ chối hồ sơ tại đây."
        )
    if kind not in IntakeNoticeKind.values:
        raise DossierInvalid({"kind": "Loại phiếu không hợp lệ."})
    errors: dict[str, str] = {}
    cleaned_applicant: dict[str, Any] = {}
    cleaned_items: list[dict[str, str]] = []
    with errors_collected(errors):
        cleaned_applicant = applicant_clean(applicant)
    with errors_collected(errors):
        if kind == IntakeNoticeKind.SUPPLEMENT:
            cleaned_items = _items_clean(items)
            reason = text_clean(reason, field="reason", label="ghi chú", required=False)
        else:
            reason = text_clean(reason, field="reason", label="lý do từ chối tiếp nhận")
    if errors:
        raise DossierInvalid(errors)
    return IntakeNotice.objects.create(
        kind=kind,
        procedure=procedure,
        unit=receiving_unit,
        actor=actor,
        actor_name=actor_name(actor)[:200],
        issued_at=timezone.now(),
        applicant_name=cleaned_applicant["applicant_name"],
        applicant_id_number=cleaned_applicant["applicant_id_number"],
        applicant_phone=cleaned_applicant["applicant_phone"],
        applicant_email=cleaned_applicant["applicant_email"],
        applicant_address=cleaned_applicant["applicant_address"],
        items=cleaned_items,
        reason=reason,
    )
