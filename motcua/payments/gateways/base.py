"""The payment gateway interface — giao diện cổng thanh toán.

Each gateway (VNPay-style bank gateway, the national portal's payment platform) is one adapter
implementing :class:`PaymentGateway`. The payments app builds a :class:`PaymentOrder`, redirects the
citizen to :meth:`PaymentGateway.checkout_url`, and trusts only the server-to-server notification
(IPN, :meth:`PaymentGateway.verify_notification`); the browser return is for display. The adapters
know nothing about models: they translate between our values and a protocol, nothing else.

All money is integer VND. Times are aware datetimes; each adapter converts to its wire time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from django.conf import settings
from django.utils.functional import Promise


@dataclass(frozen=True)
class FeeLine:
    """One fee or charge of an order — một khoản phí/lệ phí (DVCQG ``PhiLePhi`` item)."""

    code: str
    name: str
    amount_vnd: int


@dataclass(frozen=True)
class PaymentOrder:
    """What the merchant asks the gateway to collect — yêu cầu thanh toán.

    ``reference`` is our unique order reference (VNPay ``vnp_TxnRef``, DVCQG ``MaGiaoDich``): at most
    34 characters of ``[A-Za-z0-9-]``. ``description`` goes on the wire as VNPay ``vnp_OrderInfo``:
    Vietnamese without diacritics, no special characters (the adapter strips them if present).
    """

    reference: str
    amount_vnd: int
    description: str
    created_at: datetime
    expires_at: datetime
    dossier_code: str
    procedure_code: str
    fee_lines: tuple[FeeLine, ...] = ()
    client_ip: str = "127.0.0.1"
    locale: str = "vn"
    bank_code: str = ""


@dataclass(frozen=True)
class GatewayTransaction:
    """What a gateway says happened to an order — kết quả giao dịch do cổng thanh toán báo.

    ``success`` is true only when the gateway reports the money collected (VNPay: response code and
    transaction status both ``00``). ``response_code`` / ``transaction_status`` are the gateway's own
    codes, ``raw`` the parameters as received (for the audit trail and reconciliation).
    """

    reference: str
    amount_vnd: int
    success: bool
    response_code: str
    transaction_status: str
    transaction_no: str
    bank_code: str
    paid_at: datetime | None
    raw: Mapping[str, str] = field(default_factory=dict)
    message: str = ""  # the code's meaning, in Vietnamese


class GatewayError(Exception):
    """Network or protocol trouble talking to a gateway — lỗi kết nối/giao thức; retry later."""


class SignatureInvalid(GatewayError):
    """A checksum that does not verify — sai chữ ký: answer as the protocol says, change nothing."""


class NotificationOutcome(StrEnum):
    """What the merchant concluded from a notification; each gateway answers it in its own words."""

    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    ORDER_NOT_FOUND = "order_not_found"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_SIGNATURE = "invalid_signature"
    UNKNOWN_ERROR = "unknown_error"


class PaymentGateway(Protocol):
    """One payment protocol — một cổng thanh toán."""

    code: str  # "vnpay" | "dvcqg"

    @property
    def name(self) -> str | Promise:
        """Shown to the citizen choosing a gateway (translatable)."""
        ...

    def checkout_url(self, order: PaymentOrder, *, return_url: str) -> str:
        """The URL to send the citizen's browser to (may call the gateway, e.g. DVCQG)."""
        ...

    def verify_return(self, params: Mapping[str, str]) -> GatewayTransaction:
        """The browser's return: display only. Raises SignatureInvalid."""
        ...

    def verify_notification(self, params: Mapping[str, str]) -> GatewayTransaction:
        """The server-to-server notification (IPN). Raises SignatureInvalid."""
        ...

    def notification_params(
        self, *, query: Mapping[str, str], body: bytes, content_type: str
    ) -> dict[str, str]:
        """The notification's parameters from the HTTP request: VNPay sends them in the GET query string,
        the DVCQG platform as a JSON object in a POST body. The IPN view passes the request's parts."""
        ...

    def notification_answer(self, outcome: NotificationOutcome) -> tuple[int, dict[str, str]]:
        """The HTTP status and JSON body the gateway expects in answer to its notification."""
        ...

    def query(self, order: PaymentOrder) -> GatewayTransaction:
        """Ask the gateway what happened to an order (VNPay querydr). Raises GatewayError."""
        ...

    def refund(
        self, order: PaymentOrder, *, amount_vnd: int, reason: str, by: str, transaction_no: str = ""
    ) -> GatewayTransaction:
        """Give back ``amount_vnd`` of a paid order (``transaction_no``: the gateway's number of the
        payment, when known). Raises GatewayError (also when the gateway offers no refunds)."""
        ...


def gateway_codes() -> tuple[str, ...]:
    """The gateways offered, in order (``MOTCUA_PAYMENT_GATEWAYS``)."""
    return tuple(settings.MOTCUA_PAYMENT_GATEWAYS)


def gateway_get(code: str) -> PaymentGateway:
    """The adapter for ``code``, configured from settings. Raises KeyError for an unknown code."""
    # Imported here: each adapter module imports this one for the shared types.
    from motcua.payments.gateways.dvcqg import DvcqgGateway
    from motcua.payments.gateways.vnpay import VnpayGateway

    if code == VnpayGateway.code:
        return VnpayGateway.from_settings()
    if code == DvcqgGateway.code:
        return DvcqgGateway.from_settings()
    raise KeyError(code)
