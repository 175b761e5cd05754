"""Payments' part of a person's data export (``motcua.privacy.registry``): payments and receipts.

Not purged: payments and receipts are accounting records (Law on Accounting: kept 10 years).
"""

from __future__ import annotations

from typing import Any

from motcua.dossiers.personal_data import subject_dossiers
from motcua.payments.models import Payment
from motcua.privacy.registry import Subject, export_section


@export_section("payments")
def payments_export(subject: Subject) -> list[dict[str, Any]]:
    payments = (
        Payment.objects.filter(dossier__in=subject_dossiers(subject))
        .select_related("dossier", "receipt")
        .order_by("created_at")
    )
    rows = []
    for p in payments:
        receipt = getattr(p, "receipt", None)
        rows.append(
            {
                "dossier": p.dossier.code,
                "reference": p.reference,
                "amount_vnd": p.amount_vnd,
                "method": p.method,
                "gateway": p.gateway,
                "state": p.state,
                "created_at": p.created_at,
                "paid_at": p.paid_at,
                "receipt": None
                if receipt is None
                else {
                    "series": receipt.series,
                    "number": receipt.number,
                    "issued_at": receipt.issued_at,
                    "amount_vnd": receipt.amount_vnd,
                    "payer_name": receipt.payer_name,
                },
            }
        )
    return rows
