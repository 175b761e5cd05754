"""The e-receipt as PDF — biên lai điện tử: built from the models, rendered by ``documents``."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from motcua.documents.fee_receipts import FeeReceiptForm, FeeReceiptLine, form_fee_receipt_render
from motcua.payments.models import PaymentMethod, Receipt


def receipt_verification_url(receipt: Receipt, *, base_url: str = "") -> str:
    """The public page that confirms a receipt (its QR code): ``/bien-lai/<verification code>``."""
    base = (base_url or settings.MOTCUA_PUBLIC_BASE_URL or "http://localhost").rstrip("/")
    return base + reverse("payments:receipt_verify", kwargs={"code": str(receipt.verification_code)})


def receipt_form(receipt: Receipt, *, base_url: str = "") -> FeeReceiptForm:
    p = receipt.payment
    d = p.dossier
    unit = receipt.unit
    parent = unit.parent
    return FeeReceiptForm(
        unit_name=unit.name,
        parent_unit_name=parent.name if parent is not None else "",
        series=receipt.series,
        number=receipt.number_display,
        issued_at=receipt.issued_at,
        payer_name=receipt.payer_name,
        payer_address=d.applicant_address or "",
        dossier_code=d.code,
        procedure_name=d.procedure.name if d.procedure_id else "",
        lines=tuple(FeeReceiptLine(name=f.name, amount_vnd=int(f.amount_vnd)) for f in p.fees.order_by("pk")),
        total_vnd=receipt.amount_vnd,
        method_label=str(PaymentMethod(p.method).label)
        + (f" — {p.gateway.upper()}" if p.method == PaymentMethod.ONLINE else ""),
        transaction_reference=p.transaction_no or p.reference,
        verification_url=receipt_verification_url(receipt, base_url=base_url),
    )


def receipt_pdf(receipt: Receipt, *, base_url: str = "") -> bytes:
    return form_fee_receipt_render(receipt_form(receipt, base_url=base_url))
