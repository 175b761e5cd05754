"""VNPay-style bank gateway — cổng thanh toán VNPAY (merchant integration, version 2.1.0).

Faithful to VNPay's published merchant integration (sandbox.vnpayment.vn/apis/docs):

* **Payment URL** ``{MOTCUA_VNPAY_URL}?…`` (``paymentv2/vpcpay.html``, GET): ``vnp_Version`` 2.1.0,
  ``vnp_Command`` pay, ``vnp_TmnCode``, ``vnp_Amount`` (VND × 100), ``vnp_CurrCode`` VND, ``vnp_TxnRef``,
  ``vnp_OrderInfo`` (no diacritics), ``vnp_OrderType`` other, ``vnp_Locale``, ``vnp_ReturnUrl``,
  ``vnp_IpAddr``, ``vnp_CreateDate`` / ``vnp_ExpireDate`` (``yyyyMMddHHmmss``, GMT+7) and optionally
  ``vnp_BankCode``. The **canonical string** is the ``vnp_*`` parameters, sorted by name,
  each ``name=quote_plus(value)``, joined by ``&`` — exactly the query string sent — and
  ``vnp_SecureHash`` is the hex HMAC-SHA512 of it under the merchant's hash secret.
* **Return URL and IPN**: the same canonical string over what VNPay sends, minus ``vnp_SecureHash`` /
  ``vnp_SecureHashType``; compared in constant time. VNPay calls the IPN with GET query parameters
  and expects ``{"RspCode", "Message"}`` (``00`` Confirm Success, ``01`` Order not found, ``02`` Order
  already confirmed, ``04`` Invalid amount, ``97`` Invalid signature, ``99`` Unknown error); any other
  answer (or none) makes VNPay retry.
* **querydr / refund**: JSON POST to ``merchant_webapi/api/transaction`` (``MOTCUA_VNPAY_API_URL``);
  ``vnp_SecureHash`` is the HMAC-SHA512 of the documented fields joined by ``|`` (request and answer
  each have their own field order: ``QUERY_FIELDS``, ``REFUND_FIELDS``, ``*_ANSWER_FIELDS`` below).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.payments.gateways.base import (
    GatewayError,
    GatewayTransaction,
    NotificationOutcome,
    PaymentOrder,
    SignatureInvalid,
)

VERSION = "2.1.0"
# VNPay's wire times are Vietnam time (GMT+7), with no zone marker.
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WIRE_TIME = "%Y%m%d%H%M%S"
SUCCESS = "00"

# vnp_ResponseCode of a payment (return URL and IPN), as VNPay documents them.
RESPONSE_LABELS: dict[str, Any] = {
    "00": _("Giao dịch thành công"),
    "07": _("Trừ tiền thành công, giao dịch bị nghi ngờ (liên quan tới lừa đảo, giao dịch bất thường)"),
    "09": _("Thẻ/tài khoản chưa đăng ký dịch vụ InternetBanking tại ngân hàng"),
    "10": _("Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần"),
    "11": _("Đã hết hạn chờ thanh toán"),
    "12": _("Thẻ/tài khoản bị khóa"),
    "13": _("Nhập sai mật khẩu xác thực giao dịch (OTP)"),
    "24": _("Khách hàng hủy giao dịch"),
    "51": _("Tài khoản không đủ số dư để thực hiện giao dịch"),
    "65": _("Tài khoản đã vượt quá hạn mức giao dịch trong ngày"),
    "75": _("Ngân hàng thanh toán đang bảo trì"),
    "79": _("Nhập sai mật khẩu thanh toán quá số lần quy định"),
    "99": _("Lỗi khác"),
}
# vnp_TransactionStatus (return, IPN, querydr).
TRANSACTION_STATUS_LABELS: dict[str, Any] = {
    "00": _("Giao dịch thành công"),
    "01": _("Giao dịch chưa hoàn tất"),
    "02": _("Giao dịch bị lỗi"),
    "04": _(
        "Giao dịch đảo (khách hàng đã bị trừ tiền tại ngân hàng nhưng giao dịch chưa thành công ở VNPAY)"
    ),
    "05": _("VNPAY đang xử lý giao dịch hoàn tiền"),
    "06": _("VNPAY đã gửi yêu cầu hoàn tiền sang ngân hàng"),
    "07": _("Giao dịch bị nghi ngờ gian lận"),
    "09": _("Giao dịch hoàn trả bị từ chối"),
}
# vnp_ResponseCode of the merchant_webapi (querydr, refund).
API_RESPONSE_LABELS: dict[str, Any] = {
    "00": _("Yêu cầu thành công"),
    "02": _("Mã định danh kết nối (vnp_TmnCode) không hợp lệ"),
    "03": _("Dữ liệu gửi sang không đúng định dạng"),
    "91": _("Không tìm thấy giao dịch yêu cầu"),
    "94": _("Yêu cầu bị trùng lặp trong thời gian giới hạn của API"),
    "95": _("Giao dịch không thành công bên VNPAY, VNPAY từ chối xử lý yêu cầu"),
    "97": _("Chữ ký (checksum) không hợp lệ"),
    "99": _("Lỗi khác"),
}
# The IPN answers, word for word as VNPay's integration guide gives them.
IPN_ANSWERS: dict[NotificationOutcome, tuple[str, str]] = {
    NotificationOutcome.CONFIRMED: ("00", "Confirm Success"),
    NotificationOutcome.ORDER_NOT_FOUND: ("01", "Order not found"),
    NotificationOutcome.ALREADY_CONFIRMED: ("02", "Order already confirmed"),
    NotificationOutcome.INVALID_AMOUNT: ("04", "Invalid amount"),
    NotificationOutcome.INVALID_SIGNATURE: ("97", "Invalid signature"),
    NotificationOutcome.UNKNOWN_ERROR: ("99", "Unknown error"),
}

QUERY_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate",
    "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
QUERY_ANSWER_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
    "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount",
)  # fmt: skip
REFUND_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef",
    "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate",
    "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
REFUND_ANSWER_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
    "vnp_TransactionStatus", "vnp_OrderInfo",
)  # fmt: skip
_HASH_FIELDS = {"vnp_SecureHash", "vnp_SecureHashType"}
_REFERENCE = re.compile(r"[A-Za-z0-9-]{1,34}")


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def canonical_query(params: Mapping[str, str]) -> str:
    """The string VNPay signs: ``vnp_*`` parameters (hash fields excluded), sorted by name,
    ``name=quote_plus(value)`` joined by ``&`` (VNPay's own samples encode exactly so). An empty value
    counts as ``name=``, as in VNPay's PHP and Python samples; we never send one (optional fields are
    left out), so only a received empty field depends on it."""
    items = sorted(
        (key, str(value))
        for key, value in params.items()
        if key.startswith("vnp_") and key not in _HASH_FIELDS
    )
    return "&".join(f"{key}={quote_plus(value)}" for key, value in items)


def checksum_line(values: Mapping[str, Any], fields: Iterable[str]) -> str:
    """The merchant_webapi canonical string: the fields in their documented order, joined by ``|``."""
    return "|".join("" if values.get(name) is None else str(values.get(name)) for name in fields)


def plain_text(text: str, *, limit: int = 255) -> str:
    """Vietnamese without diacritics and without special characters, as vnp_OrderInfo must be."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    cleaned = re.sub(r"[^A-Za-z0-9 ]+", " ", stripped)
    return re.sub(r"\s+", " ", cleaned).strip()[:limit]


def wire_time(moment: datetime) -> str:
    return timezone.localtime(moment, VN_TZ).strftime(WIRE_TIME)


def parse_wire_time(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, WIRE_TIME).replace(tzinfo=VN_TZ).astimezone(UTC)
    except ValueError:
        return None


def response_label(code: str) -> str:
    """The Vietnamese meaning of a payment's vnp_ResponseCode."""
    return str(RESPONSE_LABELS.get(code, RESPONSE_LABELS["99"]))


class VnpayGateway:
    """The VNPay-style bank gateway — cổng thanh toán VNPAY."""

    code = "vnpay"
    name = _("Cổng thanh toán VNPAY (thẻ ATM, thẻ quốc tế, QR ngân hàng)")

    def __init__(
        self,
        *,
        payment_url: str,
        api_url: str,
        tmn_code: str,
        hash_secret: str,
        timeout: float = 15,
        server_ip: str = "127.0.0.1",
    ) -> None:
        self.payment_url = payment_url
        self.api_url = api_url
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.timeout = timeout
        self.server_ip = server_ip

    @classmethod
    def from_settings(cls) -> VnpayGateway:
        return cls(
            payment_url=settings.MOTCUA_VNPAY_URL,
            api_url=settings.MOTCUA_VNPAY_API_URL,
            tmn_code=settings.MOTCUA_VNPAY_TMN_CODE,
            hash_secret=settings.MOTCUA_VNPAY_HASH_SECRET,
            timeout=settings.MOTCUA_PAYMENT_TIMEOUT_SECONDS,
        )

    # --- Redirect to the payment page ---

    def payment_params(self, order: PaymentOrder, *, return_url: str) -> dict[str, str]:
        """The signed parameters of the payment URL (vnp_SecureHash included)."""
        if not _REFERENCE.fullmatch(order.reference):
            raise ValueError(f"vnp_TxnRef must be 1–34 characters of [A-Za-z0-9-]: {order.reference!r}")
        if order.amount_vnd <= 0:
            raise ValueError(f"the amount must be positive: {order.amount_vnd}")
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(order.amount_vnd * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.reference,
            "vnp_OrderInfo": plain_text(order.description) or order.reference,
            "vnp_OrderType": "other",
            "vnp_Locale": order.locale if order.locale in ("vn", "en") else "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": order.client_ip,
            "vnp_CreateDate": wire_time(order.created_at),
            "vnp_ExpireDate": wire_time(order.expires_at),
        }
        if order.bank_code:
            params["vnp_BankCode"] = order.bank_code
        params["vnp_SecureHash"] = hmac_sha512(self.hash_secret, canonical_query(params))
        return params

    def checkout_url(self, order: PaymentOrder, *, return_url: str) -> str:
        params = self.payment_params(order, return_url=return_url)
        signature = params.pop("vnp_SecureHash")
        return f"{self.payment_url}?{canonical_query(params)}&vnp_SecureHash={signature}"

    # --- Return URL and IPN ---

    def verify_return(self, params: Mapping[str, str]) -> GatewayTransaction:
        return self._verified(params)

    def verify_notification(self, params: Mapping[str, str]) -> GatewayTransaction:
        return self._verified(params)

    def notification_params(
        self, *, query: Mapping[str, str], body: bytes, content_type: str
    ) -> dict[str, str]:
        # VNPay calls the IPN URL with GET and the signed result in the query string.
        return {key: str(value) for key, value in query.items()}

    def notification_answer(self, outcome: NotificationOutcome) -> tuple[int, dict[str, str]]:
        code, message = IPN_ANSWERS[outcome]
        return 200, {"RspCode": code, "Message": message}

    def _verified(self, params: Mapping[str, str]) -> GatewayTransaction:
        received = str(params.get("vnp_SecureHash", "")).lower()
        expected = hmac_sha512(self.hash_secret, canonical_query(params))
        if not received or not hmac.compare_digest(received, expected):
            raise SignatureInvalid("vnp_SecureHash does not match the parameters")
        if params.get("vnp_TmnCode") != self.tmn_code:
            raise SignatureInvalid(f"vnp_TmnCode {params.get('vnp_TmnCode')!r} is not ours")
        amount = _amount(params.get("vnp_Amount"))
        response_code = str(params.get("vnp_ResponseCode", ""))
        status = str(params.get("vnp_TransactionStatus", ""))
        success = response_code == SUCCESS and status == SUCCESS
        return GatewayTransaction(
            reference=str(params.get("vnp_TxnRef", "")),
            amount_vnd=amount,
            success=success,
            response_code=response_code,
            transaction_status=status,
            transaction_no=str(params.get("vnp_TransactionNo", "")),
            bank_code=str(params.get("vnp_BankCode", "")),
            paid_at=parse_wire_time(str(params.get("vnp_PayDate", ""))) if success else None,
            raw=dict(params),
            message=response_label(response_code),
        )

    # --- merchant_webapi: querydr, refund ---

    def query(self, order: PaymentOrder) -> GatewayTransaction:
        request = {
            "vnp_RequestId": uuid.uuid4().hex,
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": order.reference,
            "vnp_OrderInfo": plain_text(f"Truy van giao dich {order.reference}"),
            "vnp_TransactionDate": wire_time(order.created_at),
            "vnp_CreateDate": wire_time(timezone.now()),
            "vnp_IpAddr": self.server_ip,
        }
        request["vnp_SecureHash"] = hmac_sha512(self.hash_secret, checksum_line(request, QUERY_FIELDS))
        answer = self._call(request, QUERY_ANSWER_FIELDS)
        return self._api_transaction(order, answer, success_needs_status=True)

    def refund(
        self, order: PaymentOrder, *, amount_vnd: int, reason: str, by: str, transaction_no: str = ""
    ) -> GatewayTransaction:
        """Refund all (vnp_TransactionType 02) or part (03) of a paid order; ``transaction_no`` is
        VNPay's vnp_TransactionNo of the payment when known."""
        if not 0 < amount_vnd <= order.amount_vnd:
            raise ValueError(f"refund amount {amount_vnd} outside 1..{order.amount_vnd}")
        request = {
            "vnp_RequestId": uuid.uuid4().hex,
            "vnp_Version": VERSION,
            "vnp_Command": "refund",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TransactionType": "02" if amount_vnd == order.amount_vnd else "03",
            "vnp_TxnRef": order.reference,
            "vnp_Amount": str(amount_vnd * 100),
            "vnp_OrderInfo": plain_text(reason) or plain_text(f"Hoan tien {order.reference}"),
            "vnp_TransactionNo": transaction_no,
            "vnp_TransactionDate": wire_time(order.created_at),
            "vnp_CreateBy": plain_text(by, limit=250) or "motcua",
            "vnp_CreateDate": wire_time(timezone.now()),
            "vnp_IpAddr": self.server_ip,
        }
        request["vnp_SecureHash"] = hmac_sha512(self.hash_secret, checksum_line(request, REFUND_FIELDS))
        answer = self._call(request, REFUND_ANSWER_FIELDS)
        return self._api_transaction(order, answer, success_needs_status=False)

    def _call(self, request: dict[str, str], answer_fields: tuple[str, ...]) -> dict[str, str]:
        body = json.dumps(request).encode()
        http_request = urllib.request.Request(
            self.api_url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise GatewayError(f"VNPAY merchant_webapi answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as exc:
            raise GatewayError(f"VNPAY merchant_webapi unreachable: {exc}") from exc
        if not isinstance(answer, dict):
            raise GatewayError("VNPAY merchant_webapi answered something other than a JSON object")
        answer = {key: "" if value is None else str(value) for key, value in answer.items()}
        received = answer.get("vnp_SecureHash", "").lower()
        expected = hmac_sha512(self.hash_secret, checksum_line(answer, answer_fields))
        if not received or not hmac.compare_digest(received, expected):
            raise SignatureInvalid("the merchant_webapi answer's vnp_SecureHash does not match")
        code = answer.get("vnp_ResponseCode", "")
        # 91 (no such transaction) is an answer about the order; the others are our or VNPay's trouble.
        if code not in (SUCCESS, "91", "95"):
            label = API_RESPONSE_LABELS.get(code, API_RESPONSE_LABELS["99"])
            raise GatewayError(f"VNPAY merchant_webapi {request['vnp_Command']}: {code} {label}")
        return answer

    def _api_transaction(
        self, order: PaymentOrder, answer: dict[str, str], *, success_needs_status: bool
    ) -> GatewayTransaction:
        code = answer.get("vnp_ResponseCode", "")
        status = answer.get("vnp_TransactionStatus", "")
        success = code == SUCCESS and (status == SUCCESS or not success_needs_status)
        pay_date = parse_wire_time(answer.get("vnp_PayDate", ""))
        return GatewayTransaction(
            reference=answer.get("vnp_TxnRef") or order.reference,
            amount_vnd=_amount(answer["vnp_Amount"]) if answer.get("vnp_Amount") else 0,
            success=success,
            response_code=code,
            transaction_status=status,
            transaction_no=answer.get("vnp_TransactionNo", ""),
            bank_code=answer.get("vnp_BankCode", ""),
            paid_at=pay_date if success else None,
            raw=answer,
            message=str(API_RESPONSE_LABELS.get(code, API_RESPONSE_LABELS["99"])),
        )


def _amount(value: object) -> int:
    """vnp_Amount (VND × 100) → integer VND; anything else is a protocol error."""
    text = str(value or "")
    if not text.isdigit() or int(text) % 100:
        raise GatewayError(f"vnp_Amount is not a whole amount of VND × 100: {text!r}")
    return int(text) // 100
