"""Builders of filled-in forms for the tests: realistic Quảng Ninh data, any field overridable."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from motcua.documents.forms import (
    CERTIFIED_COPY,
    COPY,
    ORIGINAL,
    ApologyForm,
    FormComponent,
    LedgerForm,
    LedgerRow,
    Outcome,
    ProcessControlForm,
    ProcessControlRow,
    ReceiptForm,
    RefusalForm,
    StopNoticeForm,
    SupplementItem,
    SupplementRequestForm,
)

# 03:05 UTC is 10:05 in Asia/Ho_Chi_Minh: tests feed UTC on purpose to prove the conversion.
RECEIVED = datetime(2026, 11, 22, 3, 5, tzinfo=UTC)
CODE = "000.22.07.H49-261122-0007"
UNIT = {
    "unit_name": "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
    "parent_unit_name": "UBND tỉnh Quảng Ninh",
}
APPLICANT = "Nguyễn Thị Hồng Nhung"
PROCEDURE = "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
TRACKING_URL = f"https://dichvucong.quangninh.gov.vn/tra-cuu-ho-so?ma={CODE}"


def receipt(**overrides: Any) -> ReceiptForm:
    fields: dict[str, Any] = {
        **UNIT,
        "dossier_code": CODE,
        "applicant_name": APPLICANT,
        "applicant_address": "Số 12, phố Lê Thánh Tông, phường Hồng Gai, tỉnh Quảng Ninh",
        "applicant_phone": "0912 345 678",
        "applicant_email": "nhung.nguyen@example.vn",
        "procedure_name": PROCEDURE,
        "components": [
            FormComponent(name="Đơn đề nghị cấp giấy phép xây dựng", kind=ORIGINAL),
            FormComponent(name="Giấy chứng nhận quyền sử dụng đất", kind=CERTIFIED_COPY),
            FormComponent(name="Bản vẽ thiết kế xây dựng", kind=ORIGINAL, quantity=2),
            FormComponent(name="Căn cước của người đề nghị", kind=COPY),
        ],
        "statutory_time_text": "15 ngày làm việc",
        "received_at": RECEIVED,
        "appointment_at": RECEIVED + timedelta(days=21),
        "return_place": "Trung tâm Phục vụ hành chính công tỉnh, phường Hồng Gai",
        "ledger_book": "05/2026",
        "ledger_number": "1234",
        "receiver_name": "Trần Văn Bình",
        "tracking_url": TRACKING_URL,
    }
    fields.update(overrides)
    return ReceiptForm(**fields)


def supplement_request(**overrides: Any) -> SupplementRequestForm:
    fields: dict[str, Any] = {
        **UNIT,
        "document_number": "15/PBS",
        "issued_at": RECEIVED + timedelta(days=2),
        "dossier_code": CODE,
        "applicant_name": APPLICANT,
        "applicant_phone": "0912 345 678",
        "procedure_name": PROCEDURE,
        "received_at": RECEIVED,
        "items": [
            SupplementItem(content="Bản vẽ mặt bằng móng công trình", reason="Hồ sơ nộp thiếu bản vẽ móng"),
            SupplementItem(content="Ảnh chụp hiện trạng công trình", reason="Ảnh đã nộp không rõ nét"),
        ],
        "contact_name": "Trần Văn Bình",
        "contact_phone": "0203 3835 123",
        "signer_name": "Trần Văn Bình",
    }
    fields.update(overrides)
    return SupplementRequestForm(**fields)


def refusal(**overrides: Any) -> RefusalForm:
    fields: dict[str, Any] = {
        **UNIT,
        "document_number": "03/PTC",
        "issued_at": RECEIVED,
        "applicant_name": "Công ty TNHH Hạ Long Xanh",
        "procedure_name": "Cấp giấy phép kinh doanh dịch vụ karaoke",
        "reason": "Thủ tục không thuộc thẩm quyền của Trung tâm.\nĐề nghị nộp hồ sơ tại Sở Văn hóa.",
        "signer_name": "Trần Văn Bình",
    }
    fields.update(overrides)
    return RefusalForm(**fields)


def apology(**overrides: Any) -> ApologyForm:
    fields: dict[str, Any] = {
        **UNIT,
        "document_number": "27/XL-TTPVHCC",
        "issued_at": RECEIVED + timedelta(days=19),
        "dossier_code": CODE,
        "applicant_name": APPLICANT,
        "procedure_name": PROCEDURE,
        "received_at": RECEIVED,
        "original_appointment_at": RECEIVED + timedelta(days=21),
        "new_appointment_at": RECEIVED + timedelta(days=26),
        "reason": "Hồ sơ cần lấy ý kiến của Sở Xây dựng, văn bản trả lời chưa được gửi đến đúng hạn.",
        "signer_title": "Giám đốc",
        "signer_name": "Phạm Minh Quân",
    }
    fields.update(overrides)
    return ApologyForm(**fields)


def process_control(**overrides: Any) -> ProcessControlForm:
    rows = [
        ProcessControlRow(
            step_name="Tiếp nhận",
            giver_unit="Trung tâm PVHCC",
            giver_name="Trần Văn Bình",
            given_at=RECEIVED + timedelta(hours=1),
            receiver_unit="Phòng Kinh tế",
            receiver_name="Lê Thu Hà",
            received_at=RECEIVED + timedelta(hours=1, minutes=10),
            outcome=Outcome.EARLY,
        ),
        ProcessControlRow(
            step_name="Thẩm định",
            giver_name="Lê Thu Hà",
            given_at=RECEIVED + timedelta(days=6),
            receiver_name="Phạm Minh Quân",
            received_at=RECEIVED + timedelta(days=6),
            outcome=Outcome.ON_TIME,
            note="Xin ý kiến Sở Xây dựng",
        ),
        ProcessControlRow(
            step_name="Phê duyệt",
            giver_name="Phạm Minh Quân",
            given_at=RECEIVED + timedelta(days=9),
            receiver_name="Đỗ Thị Mai",
            received_at=RECEIVED + timedelta(days=9),
            outcome=Outcome.LATE,
        ),
        ProcessControlRow(step_name="Trả kết quả", giver_name="Đỗ Thị Mai", receiver_name="Trần Văn Bình"),
    ]
    fields: dict[str, Any] = {
        **UNIT,
        "issued_at": RECEIVED,
        "dossier_code": CODE,
        "applicant_name": APPLICANT,
        "procedure_name": PROCEDURE,
        "received_at": RECEIVED,
        "appointment_at": RECEIVED + timedelta(days=21),
        "handling_unit_name": "Phòng Kinh tế, Hạ tầng và Đô thị",
        "coordinating_unit_names": ["Sở Xây dựng"],
        "rows": rows,
    }
    fields.update(overrides)
    return ProcessControlForm(**fields)


def ledger_row(index: int, **overrides: Any) -> LedgerRow:
    fields: dict[str, Any] = {
        "dossier_code": f"000.22.07.H49-261122-{index:04d}",
        "procedure_name": ["Đăng ký khai sinh", "Chứng thực bản sao từ bản chính", PROCEDURE][index % 3],
        "applicant_name": f"Người nộp số {index}",
        "applicant_address": "Phường Hồng Gai, Quảng Ninh",
        "applicant_phone": "0912345678",
        "handling_unit_name": "Phòng Kinh tế",
        "received_at": RECEIVED + timedelta(minutes=index),
        "appointment_at": RECEIVED + timedelta(days=3),
        "transferred_at": RECEIVED + timedelta(hours=1),
        "returned_at": RECEIVED + timedelta(days=2) if index % 2 else None,
    }
    fields.update(overrides)
    return LedgerRow(**fields)


def ledger(row_count: int = 5, **overrides: Any) -> LedgerForm:
    fields: dict[str, Any] = {
        **UNIT,
        "issued_at": RECEIVED + timedelta(days=9),
        "period_start": date(2026, 11, 1),
        "period_end": date(2026, 11, 30),
        "book_number": "05/2026",
        "rows": [ledger_row(index) for index in range(1, row_count + 1)],
    }
    fields.update(overrides)
    return LedgerForm(**fields)


def stop_notice(**overrides: Any) -> StopNoticeForm:
    fields: dict[str, Any] = {
        **UNIT,
        "document_number": "08/TB-TTPVHCC",
        "issued_at": RECEIVED + timedelta(days=5),
        "dossier_code": CODE,
        "applicant_name": APPLICANT,
        "procedure_name": PROCEDURE,
        "received_at": RECEIVED,
        "reason": "Ông/Bà đã có đơn đề nghị rút hồ sơ ngày 26/11/2026.",
        "legal_basis": "Nghị định số 118/2025/NĐ-CP của Chính phủ",
        "guidance": "Ông/Bà vui lòng đến Trung tâm để nhận lại hồ sơ đã nộp.",
        "signer_title": "Giám đốc",
        "signer_name": "Phạm Minh Quân",
    }
    fields.update(overrides)
    return StopNoticeForm(**fields)
