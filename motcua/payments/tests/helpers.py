"""What the sandbox bank would send: a signed VNPay IPN for a payment (the adapter's own canonical string)."""

from __future__ import annotations

from django.conf import settings

from motcua.payments.gateways.vnpay import canonical_query, hmac_sha512
from motcua.payments.models import Payment


def vnpay_ipn(
    payment: Payment,
    *,
    code: str = "00",
    amount_vnd: int | None = None,
    secret: str | None = None,
    reference: str | None = None,
) -> dict[str, str]:
    params = {
        "vnp_TmnCode": settings.MOTCUA_VNPAY_TMN_CODE,
        "vnp_Amount": str((payment.amount_vnd if amount_vnd is None else amount_vnd) * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Nop phi ho so",
        "vnp_PayDate": "20260302091500",
        "vnp_ResponseCode": code,
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": code,
        "vnp_TxnRef": reference or payment.reference,
    }
    params["vnp_SecureHash"] = hmac_sha512(
        secret or settings.MOTCUA_VNPAY_HASH_SECRET, canonical_query(params)
    )
    return params
