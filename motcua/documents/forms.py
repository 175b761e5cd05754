"""Standard one-stop forms (biểu mẫu) of TT 01/2018/TT-VPCP as amended by TT 03/2025/TT-VPCP, as PDF.

Each form is a frozen dataclass holding exactly what is printed, so callers (dossier services, views,
jobs) build it from whatever models they have and this module never imports them. ``form_*_render``
turns a form into PDF bytes through the typst templates in ``templates/forms/``.

All text is NFC-normalised with its line breaks kept, datetimes must be aware and are printed in
Asia/Ho_Chi_Minh (docs/domain.md §7).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from motcua.core.text import nfc
from motcua.documents import wording
from motcua.documents.qr import qr_svg, tracking_url_check
from motcua.documents.rendering import render_pdf

# Printed labels of a component's form (hình thức giấy tờ); any other label may be passed as text.
ORIGINAL = "Bản chính"
COPY = "Bản sao"
CERTIFIED_COPY = "Bản sao có chứng thực"
ELECTRONIC_COPY = "Bản điện tử"

DEFAULT_PLACE = "Quảng Ninh"
DEFAULT_SUPPLEMENT_DEADLINE_NOTE = (
    "Thời hạn giải quyết hồ sơ được tính lại từ đầu kể từ khi nhận đủ hồ sơ đã được bổ sung, "
    "hoàn thiện theo yêu cầu."
)
# Form 02 given at the counter: the dossier was not received, so no time counts yet.
INTAKE_SUPPLEMENT_DEADLINE_NOTE = (
    "Hồ sơ chưa được tiếp nhận. Thời hạn giải quyết được tính từ khi hồ sơ đầy đủ, đã bổ sung, hoàn "
    "thiện theo hướng dẫn này được tiếp nhận."
)

# C0 controls other than the newline (and DEL) have no printed form; a stray one from a pasted CCCD
# scan would otherwise reach the PDF as an invisible glyph.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class Outcome(StrEnum):
    """Kết quả xử lý so với thời hạn: trước hạn, đúng hạn, quá hạn (docs/domain.md §6)."""

    EARLY = "truoc_han"
    ON_TIME = "dung_han"
    LATE = "qua_han"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {Outcome.EARLY: "Trước hạn", Outcome.ON_TIME: "Đúng hạn", Outcome.LATE: "Quá hạn"}


# --------------------------------------------------------------------------------------------------
# Dataclasses
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class IssuingUnitFields:
    """Fields of the top-left block of every form (tên cơ quan, tổ chức ban hành; số; địa danh).

    ``unit_name`` is the issuing unit (e.g. "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh"),
    ``parent_unit_name`` its governing body (cơ quan chủ quản, e.g. "UBND tỉnh Quảng Ninh"); both are
    printed in capitals. ``place_name`` starts the date line ("Quảng Ninh, ngày …").
    """

    unit_name: str
    parent_unit_name: str = ""
    place_name: str = DEFAULT_PLACE
    document_number: str = ""


@dataclass(frozen=True, kw_only=True)
class FormComponent:
    """One document of the dossier (thành phần hồ sơ) as listed on the receipt.

    ``kind`` is the printed label of its form, e.g. :data:`ORIGINAL` ("Bản chính") or :data:`COPY`.
    """

    name: str
    kind: str = ORIGINAL
    quantity: int = 1

    def __post_init__(self) -> None:
        if self.quantity < 0:
            raise ValueError("Số lượng giấy tờ không được âm")


@dataclass(frozen=True, kw_only=True)
class ReceiptForm(IssuingUnitFields):
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (receipt and appointment, Mẫu số 01).

    ``document_number`` defaults to the dossier code. ``tracking_url`` is printed and encoded in a QR
    code so the applicant can follow the dossier online; ``submitter_name`` (người nộp hồ sơ) defaults to
    the applicant, but differs when an organisation's dossier is brought by a person.
    """

    dossier_code: str
    applicant_name: str
    applicant_address: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    procedure_name: str
    components: Sequence[FormComponent]
    dossier_sets: int = 1
    statutory_time_text: str
    received_at: datetime
    appointment_at: datetime
    return_place: str
    fee_text: str = ""
    ledger_book: str
    ledger_number: str
    receiver_name: str
    submitter_name: str = ""
    copy_label: str = ""
    tracking_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "components", tuple(self.components))
        tracking_url_check(self.tracking_url)
        if wording.local(self.appointment_at) < wording.local(self.received_at):
            raise ValueError("Thời gian hẹn trả kết quả không được trước thời gian tiếp nhận")


@dataclass(frozen=True, kw_only=True)
class SupplementItem:
    """One thing the applicant must add or correct, and why (nội dung bổ sung, lý do)."""

    content: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class SupplementRequestForm(IssuingUnitFields):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (request to supplement or complete a dossier, Mẫu số 02).

    ``contact_*`` tells the applicant whom to ask while completing the dossier; ``deadline_note``
    explains what happens to the processing deadline (the clock stops, docs/domain.md §6.6).
    """

    issued_at: datetime
    dossier_code: str
    applicant_name: str
    applicant_address: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    procedure_name: str
    received_at: datetime | None = None
    items: Sequence[SupplementItem]
    contact_name: str
    contact_phone: str = ""
    contact_place: str = ""
    deadline_note: str = DEFAULT_SUPPLEMENT_DEADLINE_NOTE
    signer_title: str = "Người hướng dẫn"
    signer_name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        if not self.items:
            raise ValueError("Phiếu yêu cầu bổ sung phải nêu ít nhất một nội dung cần bổ sung")


@dataclass(frozen=True, kw_only=True)
class RefusalForm(IssuingUnitFields):
    """Phiếu từ chối tiếp nhận, giải quyết hồ sơ (refusal to receive or process a dossier, Mẫu số 03).

    ``reason`` may hold several paragraphs separated by newlines. ``dossier_code`` may be empty when the
    dossier was refused at the counter before being registered.
    """

    issued_at: datetime
    dossier_code: str = ""
    applicant_name: str
    applicant_address: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    procedure_name: str
    received_at: datetime | None = None
    reason: str
    signer_title: str = "Người tiếp nhận hồ sơ"
    signer_name: str = ""


@dataclass(frozen=True, kw_only=True)
class ApologyForm(IssuingUnitFields):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (apology with a new appointment, Mẫu số 04).

    ``responsible_unit_name`` is the unit that caused the delay (defaults to the issuing unit). The new
    appointment must be later than the original one; docs/domain.md §6.7 allows it only once, which the caller
    enforces since this form cannot see earlier slips.
    """

    issued_at: datetime
    dossier_code: str
    applicant_name: str
    applicant_address: str = ""
    procedure_name: str
    received_at: datetime
    original_appointment_at: datetime
    new_appointment_at: datetime
    reason: str
    responsible_unit_name: str = ""
    signer_title: str
    signer_name: str = ""
    recipients: Sequence[str] = ("Như trên;", "Lưu: VT.")

    def __post_init__(self) -> None:
        object.__setattr__(self, "recipients", tuple(self.recipients))
        if wording.local(self.new_appointment_at) <= wording.local(self.original_appointment_at):
            raise ValueError("Ngày hẹn trả mới phải sau ngày hẹn trả cũ")


@dataclass(frozen=True, kw_only=True)
class ProcessControlRow:
    """One hand-over of the dossier (một lần giao, nhận hồ sơ) on the process-control slip.

    ``step_name`` names the step (e.g. "Thẩm định"); ``giver_unit``/``receiver_unit`` the units on each
    side. ``outcome`` is the step's result against its time budget, empty while still running.
    """

    step_name: str
    giver_unit: str = ""
    giver_name: str
    given_at: datetime | None = None
    receiver_unit: str = ""
    receiver_name: str
    received_at: datetime | None = None
    outcome: Outcome | None = None
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ProcessControlForm(IssuingUnitFields):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (process-control slip, Mẫu số 05; 06 in TT 03/2025)."""

    issued_at: datetime
    dossier_code: str
    applicant_name: str
    procedure_name: str
    received_at: datetime
    appointment_at: datetime
    handling_unit_name: str
    coordinating_unit_names: Sequence[str] = ()
    copy_label: str = ""
    rows: Sequence[ProcessControlRow]

    def __post_init__(self) -> None:
        object.__setattr__(self, "coordinating_unit_names", tuple(self.coordinating_unit_names))
        object.__setattr__(self, "rows", tuple(self.rows))


@dataclass(frozen=True, kw_only=True)
class LedgerRow:
    """One dossier in the ledger (một dòng sổ theo dõi hồ sơ).

    ``number`` is the ledger sequence number printed on the receipt (số thứ tự); empty means the row's
    position in the printed range. ``receipt_signature`` fills the "ký nhận" column when the result
    was returned electronically or by post (e.g. "Nhận qua bưu chính"); on paper it stays blank.
    """

    number: str = ""
    dossier_code: str
    procedure_name: str
    dossier_sets: int = 1
    applicant_name: str
    applicant_address: str = ""
    applicant_phone: str = ""
    handling_unit_name: str = ""
    received_at: datetime
    appointment_at: datetime | None = None
    transferred_at: datetime | None = None
    result_received_at: datetime | None = None
    returned_at: datetime | None = None
    receipt_signature: str = ""
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class LedgerForm(IssuingUnitFields):
    """Sổ theo dõi hồ sơ (dossier ledger, Mẫu số 06; 07 in TT 03/2025) of one unit over a date range.

    Printed on landscape A4; the column header repeats on every page.
    """

    issued_at: datetime
    period_start: date
    period_end: date
    book_number: str = ""
    rows: Sequence[LedgerRow] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        if self.period_end < self.period_start:
            raise ValueError("Ngày kết thúc kỳ theo dõi phải sau ngày bắt đầu")


@dataclass(frozen=True, kw_only=True)
class StopNoticeForm(IssuingUnitFields):
    """Thông báo dừng giải quyết hồ sơ (stop notice introduced by TT 03/2025/TT-VPCP, Mẫu số 05 there).

    ``legal_basis`` cites what allows the stop; ``guidance`` tells the applicant what they may do next
    (e.g. collect the dossier, submit again).
    """

    issued_at: datetime
    dossier_code: str
    applicant_name: str
    applicant_address: str = ""
    procedure_name: str
    received_at: datetime
    stopped_at: datetime | None = None
    reason: str
    legal_basis: str = ""
    guidance: str = ""
    signer_title: str
    signer_name: str = ""
    recipients: Sequence[str] = ("Như trên;", "Lưu: VT.")

    def __post_init__(self) -> None:
        object.__setattr__(self, "recipients", tuple(self.recipients))


# --------------------------------------------------------------------------------------------------
# Payloads: everything a template prints, already worded; templates only lay it out.
# --------------------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """NFC-normalise each line, collapse spaces, drop blank lines and control characters."""
    lines = (nfc(line) for line in _CONTROL.sub(" ", text.replace("\r\n", "\n")).split("\n"))
    return "\n".join(line for line in lines if line)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def _finish(data: dict[str, Any]) -> dict[str, Any]:
    """Clean every text, then add the heading's unit names split where a line may break.

    Split after cleaning: cleaning collapses whitespace, which would undo the non-breaking spaces
    that keep a place name ("phường Hạ Long") on one line.
    """
    data = _clean(data)
    data["parent_unit_segments"] = wording.heading_segments(data["parent_unit_name"])
    data["unit_segments"] = wording.heading_segments(data["unit_name"])
    return data


def _count(value: int) -> str:
    # Administrative writing pads small counts ("01 bộ") so a figure cannot be extended by hand.
    return f"{value:02d}"


def _time_or_blank(moment: datetime | None) -> str:
    return wording.time_words(moment) if moment is not None else ""


def _compact_or_blank(moment: datetime | None) -> str:
    return wording.time_compact(moment) if moment is not None else ""


def _heading(form: IssuingUnitFields, issued_at: datetime, title: str, number: str = "") -> dict[str, str]:
    return {
        "doc_title": title,
        "parent_unit_name": form.parent_unit_name,
        "unit_name": form.unit_name,
        "number": number or form.document_number,
        "place_date": wording.place_date(clean_text(form.place_name), issued_at),
    }


_ContactForm = ReceiptForm | SupplementRequestForm | RefusalForm


def _applicant_payload(form: _ContactForm | ApologyForm | StopNoticeForm, *, contact: bool) -> dict[str, str]:
    # The dossier and whose it is; ``contact`` adds the phone and email printed under the address.
    data = {
        "dossier_code": form.dossier_code,
        "applicant_name": form.applicant_name,
        "applicant_address": form.applicant_address,
        "procedure_name": form.procedure_name,
    }
    if contact:
        if not isinstance(form, _ContactForm):
            raise TypeError(f"{type(form).__name__} has no applicant phone or email")
        data |= {"applicant_phone": form.applicant_phone, "applicant_email": form.applicant_email}
    return data


_SignedForm = SupplementRequestForm | RefusalForm | ApologyForm | StopNoticeForm


def _signer_payload(form: _SignedForm) -> dict[str, str]:
    return {"signer_title": form.signer_title, "signer_name": form.signer_name}


def receipt_payload(form: ReceiptForm) -> dict[str, Any]:
    """The JSON the receipt template reads (also used by tests to check the QR input)."""
    data: dict[str, Any] = _heading(
        form,
        form.received_at,
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        form.document_number or form.dossier_code,
    )
    data |= _applicant_payload(form, contact=True)
    data |= {
        "copy_label": form.copy_label,
        "components": [
            {"no": str(index), "name": item.name, "kind": item.kind, "quantity": _count(item.quantity)}
            for index, item in enumerate(form.components, start=1)
        ],
        "dossier_sets": _count(form.dossier_sets),
        "statutory_time": form.statutory_time_text,
        "received": wording.time_words(form.received_at),
        "appointment": wording.time_words(form.appointment_at),
        "return_place": form.return_place,
        "fee": form.fee_text,
        "ledger_book": form.ledger_book,
        "ledger_number": form.ledger_number,
        "submitter_name": form.submitter_name or form.applicant_name,
        "receiver_name": form.receiver_name,
        "tracking_url": form.tracking_url,
    }
    data = _finish(data)
    # Added after cleaning: the SVG is markup, not prose, and must reach typst byte for byte.
    data["qr_svg"] = qr_svg(form.tracking_url)
    return data


def supplement_request_payload(form: SupplementRequestForm) -> dict[str, Any]:
    """The JSON the supplement-request template reads."""
    data: dict[str, Any] = _heading(form, form.issued_at, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    data |= _applicant_payload(form, contact=True) | _signer_payload(form)
    data |= {
        "received": _time_or_blank(form.received_at),
        "items": [
            {"no": str(index), "content": item.content, "reason": item.reason}
            for index, item in enumerate(form.items, start=1)
        ],
        "contact_name": form.contact_name,
        "contact_phone": form.contact_phone,
        "contact_place": form.contact_place,
        "deadline_note": form.deadline_note,
    }
    return _finish(data)


def refusal_payload(form: RefusalForm) -> dict[str, Any]:
    """The JSON the refusal template reads."""
    data: dict[str, Any] = _heading(form, form.issued_at, "Phiếu từ chối tiếp nhận, giải quyết hồ sơ")
    data |= _applicant_payload(form, contact=True) | _signer_payload(form)
    data |= {"received": _time_or_blank(form.received_at), "reason": form.reason}
    return _finish(data)


def apology_payload(form: ApologyForm) -> dict[str, Any]:
    """The JSON the apology template reads."""
    data: dict[str, Any] = _heading(form, form.issued_at, "Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    data |= _applicant_payload(form, contact=False) | _signer_payload(form)
    data |= {
        "received_date": wording.date_numeric(form.received_at),
        "original_appointment": wording.time_words(form.original_appointment_at),
        "new_appointment": wording.time_words(form.new_appointment_at),
        "reason": form.reason,
        "responsible_unit_name": form.responsible_unit_name or form.unit_name,
        "recipients": list(form.recipients),
    }
    return _finish(data)


def process_control_payload(form: ProcessControlForm) -> dict[str, Any]:
    """The JSON the process-control template reads."""
    data: dict[str, Any] = _heading(form, form.issued_at, "Phiếu kiểm soát quá trình giải quyết hồ sơ")
    data |= {
        "dossier_code": form.dossier_code,
        "copy_label": form.copy_label,
        "applicant_name": form.applicant_name,
        "procedure_name": form.procedure_name,
        "received": wording.time_words(form.received_at),
        "appointment": wording.time_words(form.appointment_at),
        "handling_unit_name": form.handling_unit_name,
        "coordinating_unit_names": "; ".join(form.coordinating_unit_names),
        "rows": [
            {
                "no": str(index),
                "step_name": row.step_name,
                "giver_unit": row.giver_unit,
                "giver_name": row.giver_name,
                "given_at": _compact_or_blank(row.given_at),
                "receiver_unit": row.receiver_unit,
                "receiver_name": row.receiver_name,
                "received_at": _compact_or_blank(row.received_at),
                "outcome": row.outcome.label if row.outcome is not None else "",
                "note": row.note,
            }
            for index, row in enumerate(form.rows, start=1)
        ],
    }
    return _finish(data)


def _address_phone(row: LedgerRow) -> str:
    phone = f"ĐT: {row.applicant_phone}" if row.applicant_phone.strip() else ""
    return "\n".join(part for part in (row.applicant_address, phone) if part.strip())


def ledger_payload(form: LedgerForm) -> dict[str, Any]:
    """The JSON the ledger template reads."""
    data: dict[str, Any] = _heading(form, form.issued_at, "Sổ theo dõi hồ sơ")
    start, end = wording.date_numeric(form.period_start), wording.date_numeric(form.period_end)
    data |= {
        "period": f"Từ ngày {start} đến ngày {end}",
        "book_number": form.book_number,
        "rows": [
            {
                "no": row.number or str(index),
                "dossier_code": row.dossier_code,
                "procedure_name": row.procedure_name,
                "dossier_sets": _count(row.dossier_sets),
                "applicant_name": row.applicant_name,
                "address_phone": _address_phone(row),
                "handling_unit_name": row.handling_unit_name,
                "received_at": _compact_or_blank(row.received_at),
                "appointment_at": _compact_or_blank(row.appointment_at),
                "transferred_at": _compact_or_blank(row.transferred_at),
                "result_received_at": _compact_or_blank(row.result_received_at),
                "returned_at": _compact_or_blank(row.returned_at),
                "receipt_signature": row.receipt_signature,
                "note": row.note,
            }
            for index, row in enumerate(form.rows, start=1)
        ],
    }
    return _finish(data)


def stop_notice_payload(form: StopNoticeForm) -> dict[str, Any]:
    """The JSON the stop-notice template reads."""
    data: dict[str, Any] = _heading(form, form.issued_at, "Thông báo dừng giải quyết hồ sơ")
    data |= _applicant_payload(form, contact=False) | _signer_payload(form)
    data |= {
        "received_date": wording.date_numeric(form.received_at),
        "stopped": wording.date_words(form.stopped_at or form.issued_at),
        "reason": form.reason,
        "legal_basis": form.legal_basis,
        "guidance": form.guidance,
        "recipients": list(form.recipients),
    }
    return _finish(data)


# --------------------------------------------------------------------------------------------------
# Render functions
# --------------------------------------------------------------------------------------------------


def form_receipt_render(form: ReceiptForm) -> bytes:
    """PDF of the receipt and appointment slip (Giấy tiếp nhận hồ sơ và hẹn trả kết quả)."""
    return render_pdf("receipt.typ", receipt_payload(form), issued_at=form.received_at)


def form_supplement_request_render(form: SupplementRequestForm) -> bytes:
    """PDF of the request to supplement the dossier (Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ)."""
    return render_pdf("supplement_request.typ", supplement_request_payload(form), issued_at=form.issued_at)


def form_refusal_render(form: RefusalForm) -> bytes:
    """PDF of the refusal slip (Phiếu từ chối tiếp nhận, giải quyết hồ sơ)."""
    return render_pdf("refusal.typ", refusal_payload(form), issued_at=form.issued_at)


def form_apology_render(form: ApologyForm) -> bytes:
    """PDF of the apology and new appointment (Phiếu xin lỗi và hẹn lại ngày trả kết quả)."""
    return render_pdf("apology.typ", apology_payload(form), issued_at=form.issued_at)


def form_process_control_render(form: ProcessControlForm) -> bytes:
    """PDF of the process-control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ)."""
    return render_pdf("process_control.typ", process_control_payload(form), issued_at=form.issued_at)


def form_ledger_render(form: LedgerForm) -> bytes:
    """PDF of the dossier ledger for a unit and date range (Sổ theo dõi hồ sơ)."""
    return render_pdf("ledger.typ", ledger_payload(form), issued_at=form.issued_at)


def form_stop_notice_render(form: StopNoticeForm) -> bytes:
    """PDF of the stop notice (Thông báo dừng giải quyết hồ sơ)."""
    return render_pdf("stop_notice.typ", stop_notice_payload(form), issued_at=form.issued_at)
