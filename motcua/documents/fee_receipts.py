"""Electronic receipt of fees and charges — biên lai điện tử thu phí, lệ phí — as PDF.

Like the forms (``documents.forms``), a receipt is a frozen dataclass holding what is printed; the
payments app builds it from its models. The QR code opens the public verification page of the receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua.core.formatting import format_number
from motcua.documents import forms, wording
from motcua.documents.qr import qr_svg, tracking_url_check
from motcua.documents.rendering import render_pdf


@dataclass(frozen=True, kw_only=True)
class FeeReceiptLine:
    name: str
    amount_vnd: int


@dataclass(frozen=True, kw_only=True)
class FeeReceiptForm(forms.IssuingUnitFields):
    """What a receipt prints: series (ký hiệu), number (số), payer, dossier, lines, total, method."""

    series: str
    number: str
    issued_at: datetime
    payer_name: str
    payer_address: str = ""
    dossier_code: str
    procedure_name: str
    lines: tuple[FeeReceiptLine, ...]
    total_vnd: int
    method_label: str
    transaction_reference: str = ""
    verification_url: str

    def __post_init__(self) -> None:
        tracking_url_check(self.verification_url)
        if self.total_vnd != sum(line.amount_vnd for line in self.lines):
            raise ValueError("Tổng tiền trên biên lai phải bằng tổng các khoản thu.")


def vnd(amount: int) -> str:
    return f"{format_number(amount)} đồng"


def fee_receipt_payload(form: FeeReceiptForm) -> dict[str, Any]:
    """The JSON the ``fee_receipt.typ`` template reads."""
    data: dict[str, Any] = forms._heading(form, form.issued_at, "Biên lai thu phí, lệ phí")
    data |= {
        "series": form.series,
        "receipt_number": form.number,
        "payer_name": form.payer_name,
        "payer_address": form.payer_address,
        "dossier_code": form.dossier_code,
        "procedure_name": form.procedure_name,
        "lines": [
            {"no": f"{index:02d}", "name": line.name, "amount": vnd(line.amount_vnd)}
            for index, line in enumerate(form.lines, start=1)
        ],
        "total": vnd(form.total_vnd),
        "method": form.method_label,
        "transaction_reference": form.transaction_reference,
        "issued": wording.time_words(form.issued_at),
        "verification_url": form.verification_url,
    }
    data = forms._finish(data)
    data["qr_svg"] = qr_svg(form.verification_url)
    return data


def form_fee_receipt_render(form: FeeReceiptForm) -> bytes:
    """PDF of the electronic receipt (Biên lai điện tử thu phí, lệ phí)."""
    return render_pdf("fee_receipt.typ", fee_receipt_payload(form), issued_at=form.issued_at)
