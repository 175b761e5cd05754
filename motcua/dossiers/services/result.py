"""The end of a dossier — kết thúc: decision, signature, result ready and returned; withdrawal and stop."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import datetime

from django.core.files import File
from PIL import Image

from motcua.core.uploads import CheckedUpload, UploadRefused, upload_check
from motcua.dossiers import deadlines, event_data, rules
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import (
    Channel,
    Decision,
    Dossier,
    DossierResultDocument,
    DossierState,
    SignatureStatus,
)
from motcua.dossiers.rules import Action
from motcua.dossiers.services.components import stored_upload_track, uploads_removed_on_failure
from motcua.dossiers.services.inputs import text_clean
from motcua.dossiers.services.recording import Actor, actor_name, transition, user_holds
from motcua.dossiers.services.steps import close_open_work, handover, process_step_start, step_finish
from motcua.org.models import Role


def _result_ready(d: Dossier, *, now: datetime) -> None:
    """Processing finished — đã xử lý xong: overall outcome, and the return step opens at the centre."""
    d.finished_at = now
    d.outcome = deadlines.outcome(finished_at=now, due_at=d.due_at)
    process_step_start(d, index=rules.step_plan(d).last_index, assignee=None, by=None, now=now)


def _decide(*, actor: Actor, dossier: Dossier, row_version: int, decision: str, reason: str) -> Dossier:
    action = Action.APPROVE if decision == Decision.APPROVED else Action.REJECT
    with transition(action, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        reason = text_clean(
            reason,
            field="reason",
            label="lý do từ chối giải quyết" if action == Action.REJECT else "ý kiến",
            required=action == Action.REJECT,
        )
        plan, index = rules.step_plan(d), rules.current_index(d)
        assert index is not None
        unit = d.current_unit
        previous = d.current_step
        step_finish(previous, by=actor, now=now, note=reason)
        d.decision, d.decided_by = decision, actor
        if action == Action.REJECT:
            d.state_reason = reason
        if index + 1 == plan.last_index:
            _result_ready(d, now=now)
            to_state = DossierState.RESULT_READY
        else:
            process_step_start(d, index=index + 1, assignee=None, by=actor, now=now)
            to_state = DossierState.PROCESSING
        data = event_data.decided(
            handover(previous, d.current_step) if d.current_step else {}, decision=decision, outcome=d.outcome
        )
        t.record(
            unit=unit,
            to_state=to_state,
            reason=reason,
            data=data,
        )
    return d


def dossier_approve(*, actor: Actor, dossier: Dossier, row_version: int, note: str = "") -> Dossier:
    """Approve — phê duyệt (leader, at the decision step): on to signing, or straight to result ready."""
    return _decide(
        actor=actor, dossier=dossier, row_version=row_version, decision=Decision.APPROVED, reason=note
    )


def dossier_reject(*, actor: Actor, dossier: Dossier, row_version: int, reason: str) -> Dossier:
    """Reject — từ chối giải quyết: a negative result (a reasoned refusal) that is signed and returned."""
    return _decide(
        actor=actor, dossier=dossier, row_version=row_version, decision=Decision.REJECTED, reason=reason
    )


RESULT_FILE_LABEL = "Tệp kết quả đã ký số (PDF)"


def result_file_required(dossier: Dossier) -> bool:
    """An online dossier's applicant gets the result online, so its signed file must be recorded.

    At the counter or by post the paper original is handed over; the file is then optional (a scan of
    it is still welcome: it lets the applicant download a copy).
    """
    return dossier.channel == Channel.ONLINE


def _result_pdf(upload: File, *, field: str = "result_file") -> tuple[bytes, str]:
    """The bytes to keep: a PDF as sent (its signature must stay valid); a JPEG/PNG scan as a PDF."""
    try:
        checked: CheckedUpload = upload_check(upload)
    except UploadRefused as exc:
        raise DossierInvalid({field: exc.message}) from None
    stem = os.path.splitext(os.path.basename(checked.name or ""))[0] or "ket-qua"
    checked.seek(0)
    data = checked.read()
    if checked.kind.key != "pdf":
        out = io.BytesIO()
        with Image.open(io.BytesIO(data)) as image:
            page = image.convert("RGB")
            dpi = image.info.get("dpi")
            resolution = float(dpi[0]) if isinstance(dpi, tuple) and dpi and dpi[0] else 150.0
            page.save(out, format="PDF", resolution=resolution)
        data = out.getvalue()
    return data, f"{stem}.pdf"


def _result_store(d: Dossier, *, upload: File, actor: Actor, now: datetime) -> DossierResultDocument:
    data, name = _result_pdf(upload)
    document = DossierResultDocument(
        dossier=d,
        name=name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type="application/pdf",
        uploaded_by=actor,
        uploaded_at=now,
    )
    document.file.save(name, File(io.BytesIO(data), name=name), save=False)
    stored_upload_track(document.file.storage, document.file.name or "")
    document.save()
    return document


def dossier_record_signature(
    *,
    actor: Actor,
    dossier: Dossier,
    signer: Actor,
    signature_reference: str,
    row_version: int,
    result_file: File | None = None,
) -> Dossier:
    """Record the signature of the result — ghi nhận ký số: the signed result file and its signer.

    ``signer`` is the leader whose signature the result carries; ``actor`` the official recording it at
    the signing step (usually the clerk, văn thư). The PDF signing itself happens elsewhere; this keeps
    its reference (e.g. the document number) and the signed file (``result_file``, kết quả giải quyết),
    required for an online dossier (``result_file_required``). The file is stored in the event's
    transaction and removed if it rolls back; its SHA-256 is in the event data.
    """
    with (
        uploads_removed_on_failure(),
        transition(Action.RECORD_SIGNATURE, actor=actor, dossier=dossier, row_version=row_version) as t,
    ):
        d, now = t.dossier, t.now
        reference = text_clean(
            signature_reference, field="signature_reference", label="mã tham chiếu chữ ký", max_length=255
        )
        step_unit = d.current_unit
        if signer is None or not (
            user_holds(signer, step_unit, Role.LEADER) or user_holds(signer, d.competent_unit, Role.LEADER)
        ):
            raise DossierInvalid({"signer": f"Người ký phải là lãnh đạo của {d.competent_unit.name}."})
        if result_file is None and result_file_required(d):
            raise DossierInvalid(
                {
                    "result_file": "Hồ sơ nộp trực tuyến: vui lòng đính kèm tệp kết quả đã ký số (PDF) "
                    "để người nộp tải về."
                }
            )
        document = _result_store(d, upload=result_file, actor=actor, now=now) if result_file else None
        d.signed_by, d.signed_at, d.signature_reference = signer, now, reference
        t.record(
            unit=step_unit,
            data=event_data.signed(
                signer=signer.pk,
                signer_name=actor_name(signer),
                reference=reference,
                result_sha256=document.sha256 if document else None,
                result_name=document.name if document else None,
            ),
        )
    return d


def electronic_result_exists(dossier: Dossier) -> bool:
    """Whether the dossier has a result file whose digital signatures were checked and found valid
    (kết quả điện tử): the condition for returning the result online (domain §8)."""
    return DossierResultDocument.objects.filter(
        dossier=dossier, signature_status=SignatureStatus.VERIFIED
    ).exists()


def dossier_mark_result_ready(*, actor: Actor, dossier: Dossier, row_version: int, note: str = "") -> Dossier:
    """Result ready — đã xử lý xong (status 9): outcome is computed, the return step opens at the centre."""
    with transition(Action.MARK_RESULT_READY, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        note = text_clean(note, field="note", label="ghi chú", required=False)
        unit = d.current_unit
        previous = d.current_step
        step_finish(previous, by=actor, now=now, note=note)
        _result_ready(d, now=now)
        assert d.current_step is not None
        data = event_data.result_ready(handover(previous, d.current_step), outcome=d.outcome)
        t.record(
            unit=unit,
            to_state=DossierState.RESULT_READY,
            reason=note,
            data=data,
        )
    return d


def dossier_return_result(
    *, actor: Actor, dossier: Dossier, row_version: int, method: str = "counter", note: str = ""
) -> Dossier:
    """Return the result — trả kết quả (status 10): at the counter, by post or to the data store."""
    with transition(Action.RETURN_RESULT, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        if method not in ("counter", "postal", "online"):
            raise DossierInvalid({"method": "Hình thức trả kết quả không hợp lệ."})
        if method == "online" and not electronic_result_exists(d):
            raise DossierInvalid(
                {
                    "method": "Chỉ trả kết quả trực tuyến (vào kho dữ liệu điện tử) khi hồ sơ có văn bản "
                    "kết quả đã ký số hợp lệ; vui lòng ký số kết quả hoặc chọn trả tại quầy, bưu chính."
                }
            )
        note = text_clean(note, field="note", label="ghi chú", required=False)
        step_finish(d.current_step, by=actor, now=now, note=note)
        d.returned_at = now
        d.current_assignee = None
        t.record(
            unit=d.current_unit,
            to_state=DossierState.RETURNED,
            reason=note,
            data=event_data.result_returned(method=method, decision=d.decision),
        )
    return d


def dossier_withdraw(*, actor: Actor, dossier: Dossier, row_version: int, reason: str) -> Dossier:
    """Citizen withdrawal — công dân rút hồ sơ (status 7): by the applicant, or reception on their behalf."""
    with transition(Action.WITHDRAW, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        reason = text_clean(reason, field="reason", label="lý do rút hồ sơ")
        unit = d.current_unit
        on_behalf = not rules.is_applicant(actor, d)
        close_open_work(d, by=actor, now=now)
        d.state_reason = reason
        d.finished_at = now
        t.record(
            unit=None if not on_behalf else unit,
            to_state=DossierState.WITHDRAWN,
            reason=reason,
            data=event_data.withdrawn(on_behalf=on_behalf),
        )
    return d


def dossier_stop(*, actor: Actor, dossier: Dossier, row_version: int, reason: str) -> Dossier:
    """Stop processing — dừng xử lý (status 8), with the stop notice of TT 03/2025 (thông báo dừng)."""
    with transition(Action.STOP, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        reason = text_clean(reason, field="reason", label="lý do dừng xử lý")
        unit = d.current_unit
        close_open_work(d, by=actor, now=now)
        d.state_reason = reason
        d.finished_at = now
        t.record(
            unit=unit,
            to_state=DossierState.STOPPED,
            reason=reason,
            data=event_data.stopped(),
        )
    return d
