"""The national portal's payment platform — nền tảng thanh toán trực tuyến của Cổng Dịch vụ công quốc gia.

The platform's API is not published in detail. This adapter models it on the portal's published
integration style (DESIGN §9: JSON bodies with a ``service`` name, Vietnamese field names, a shared
secret per partner, a callback carrying a checksum). ASSUMPTIONS, to be checked against the
platform's integration document when Quảng Ninh receives it — each is one constant or one function:

* One endpoint, ``POST {MOTCUA_DVCQG_PAYMENT_URL}/api/thanh-toan``, JSON, selected by ``service``:
  ``TaoGiaoDichThanhToan`` (create a payment: ``MaDoiTac``, ``MaDonVi``, ``MaGiaoDich`` — our
  reference —, ``MaHoSo``, ``MaTTHC``, ``SoTien``, ``PhiLePhi`` [{``MaPhiLePhi``, ``TenPhiLePhi``,
  ``SoTien``}], ``NoiDungThanhToan``, ``UrlTraVe``, ``ThoiGianTao``, ``ThoiGianHetHan``) → the
  platform's ``MaThanhToan`` and the ``UrlThanhToan`` to send the citizen to; ``TraCuuGiaoDich``
  (status query by ``MaGiaoDich``).
* Every request and answer carries ``Checksum``: hex HMAC-SHA256 under the partner secret of the
  fields in a fixed order joined by ``|`` (``CREATE_FIELDS``, ``QUERY_FIELDS``, ``RESULT_FIELDS``
  …). Answers carry ``MaKetQua`` (``00`` done, ``01`` unknown partner, ``03`` bad data, ``91`` no
  such payment, ``97`` bad checksum, ``99`` error). Times are ``yyyyMMddHHmmss`` in GMT+7, amounts
  integer VND (no × 100), and ``SoTien`` must equal the sum of the ``PhiLePhi`` lines.
* The result of a payment (``RESULT_FIELDS``: ``TrangThai`` ``00`` paid / ``02`` failed, ``MaLoi``
  the reason — ``00``, ``11`` expired, ``24`` cancelled, ``51`` failed) comes twice, as VNPay's does:
  a server-to-server callback (``POST`` of a JSON object to the partner's registered URL, retried
  until answered ``{"MaLoi": "00" | "01" | "02" | "04" | "97" | "99", "MoTa"}``) and the browser's
  return to ``UrlTraVe`` with the same fields in the query string.
* Refunds are not made through the platform (the treasury returns fees outside it): ``refund``
  raises :class:`GatewayError`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

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
from motcua.payments.gateways.vnpay import parse_wire_time, wire_time

SUCCESS = "00"
CREATE_SERVICE = "TaoGiaoDichThanhToan"
QUERY_SERVICE = "TraCuuGiaoDich"
CREATE_FIELDS = (
    "service", "MaDoiTac", "MaDonVi", "MaGiaoDich", "MaHoSo", "MaTTHC", "SoTien", "ThoiGianTao",
    "ThoiGianHetHan", "UrlTraVe",
)  # fmt: skip
CREATE_ANSWER_FIELDS = ("MaKetQua", "MaGiaoDich", "MaThanhToan", "UrlThanhToan")
QUERY_FIELDS = ("service", "MaDoiTac", "MaGiaoDich", "ThoiGianYeuCau")
RESULT_FIELDS = (
    "MaDoiTac", "MaGiaoDich", "MaThanhToan", "MaHoSo", "SoTien", "TrangThai", "MaLoi", "NganHang",
    "ThoiGianThanhToan",
)  # fmt: skip
QUERY_ANSWER_FIELDS = ("MaKetQua", *RESULT_FIELDS)

RESULT_LABELS: dict[str, Any] = {
    "00": _("Thanh toán thành công"),
    "11": _("Đã hết hạn chờ thanh toán"),
    "24": _("Người nộp hủy giao dịch"),
    "51": _("Giao dịch thất bại"),
    "99": _("Lỗi khác"),
}
API_RESULT_LABELS: dict[str, Any] = {
    "00": _("Yêu cầu thành công"),
    "01": _("Mã đối tác không hợp lệ"),
    "03": _("Dữ liệu gửi sang không đúng định dạng"),
    "91": _("Không tìm thấy giao dịch"),
    "97": _("Chữ ký (checksum) không hợp lệ"),
    "99": _("Lỗi khác"),
}
CALLBACK_ANSWERS: dict[NotificationOutcome, tuple[str, str]] = {
    NotificationOutcome.CONFIRMED: ("00", "Xác nhận thành công"),
    NotificationOutcome.ORDER_NOT_FOUND: ("01", "Không tìm thấy giao dịch"),
    NotificationOutcome.ALREADY_CONFIRMED: ("02", "Giao dịch đã được xác nhận"),
    NotificationOutcome.INVALID_AMOUNT: ("04", "Số tiền không hợp lệ"),
    NotificationOutcome.INVALID_SIGNATURE: ("97", "Chữ ký không hợp lệ"),
    NotificationOutcome.UNKNOWN_ERROR: ("99", "Lỗi không xác định"),
}


def hmac_sha256(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha256).hexdigest()


def checksum_line(values: Mapping[str, Any], fields: Iterable[str]) -> str:
    return "|".join("" if values.get(name) is None else str(values.get(name)) for name in fields)


class DvcqgGateway:
    """The national portal's payment platform — nền tảng thanh toán Cổng DVCQG."""

    code = "dvcqg"
    name = _("Nền tảng thanh toán của Cổng Dịch vụ công quốc gia")

    def __init__(
        self, *, base_url: str, client_id: str, secret: str, agency_code: str, timeout: float = 15
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.secret = secret
        self.agency_code = agency_code
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> DvcqgGateway:
        return cls(
            base_url=settings.MOTCUA_DVCQG_PAYMENT_URL,
            client_id=settings.MOTCUA_DVCQG_PAYMENT_CLIENT_ID,
            secret=settings.MOTCUA_DVCQG_PAYMENT_SECRET,
            agency_code=settings.MOTCUA_DVCQG_PAYMENT_AGENCY_CODE,
            timeout=settings.MOTCUA_PAYMENT_TIMEOUT_SECONDS,
        )

    def create_request(self, order: PaymentOrder, *, return_url: str) -> dict[str, Any]:
        """The signed ``TaoGiaoDichThanhToan`` request of an order."""
        lines = order.fee_lines or ()
        if lines and sum(line.amount_vnd for line in lines) != order.amount_vnd:
            raise ValueError("the fee lines do not add up to the order's amount")
        request: dict[str, Any] = {
            "service": CREATE_SERVICE,
            "MaDoiTac": self.client_id,
            "MaDonVi": self.agency_code,
            "MaGiaoDich": order.reference,
            "MaHoSo": order.dossier_code,
            "MaTTHC": order.procedure_code,
            "SoTien": order.amount_vnd,
            "PhiLePhi": [
                {"MaPhiLePhi": line.code, "TenPhiLePhi": line.name, "SoTien": line.amount_vnd}
                for line in lines
            ],
            "NoiDungThanhToan": order.description,
            "UrlTraVe": return_url,
            "ThoiGianTao": wire_time(order.created_at),
            "ThoiGianHetHan": wire_time(order.expires_at),
        }
        request["Checksum"] = hmac_sha256(self.secret, checksum_line(request, CREATE_FIELDS))
        return request

    def checkout_url(self, order: PaymentOrder, *, return_url: str) -> str:
        answer = self._call(self.create_request(order, return_url=return_url), CREATE_ANSWER_FIELDS)
        if answer.get("MaKetQua") != SUCCESS or not answer.get("UrlThanhToan"):
            raise GatewayError(f"DVCQG payment platform refused the payment: {answer.get('MaKetQua')}")
        return str(answer["UrlThanhToan"])

    def verify_return(self, params: Mapping[str, str]) -> GatewayTransaction:
        return self._result(params)

    def verify_notification(self, params: Mapping[str, str]) -> GatewayTransaction:
        return self._result(params)

    def notification_params(
        self, *, query: Mapping[str, str], body: bytes, content_type: str
    ) -> dict[str, str]:
        # The platform POSTs its callback as a JSON object; anything unreadable verifies as nothing.
        try:
            data = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(key): "" if value is None else str(value) for key, value in data.items()}

    def notification_answer(self, outcome: NotificationOutcome) -> tuple[int, dict[str, str]]:
        code, message = CALLBACK_ANSWERS[outcome]
        return 200, {"MaLoi": code, "MoTa": message}

    def query(self, order: PaymentOrder) -> GatewayTransaction:
        request: dict[str, Any] = {
            "service": QUERY_SERVICE,
            "MaDoiTac": self.client_id,
            "MaGiaoDich": order.reference,
            "ThoiGianYeuCau": wire_time(timezone.now()),
        }
        request["Checksum"] = hmac_sha256(self.secret, checksum_line(request, QUERY_FIELDS))
        answer = self._call(request, QUERY_ANSWER_FIELDS)
        if answer.get("MaKetQua") == "91":
            return GatewayTransaction(
                reference=order.reference,
                amount_vnd=0,
                success=False,
                response_code="91",
                transaction_status="",
                transaction_no="",
                bank_code="",
                paid_at=None,
                raw=answer,
                message=str(API_RESULT_LABELS["91"]),
            )
        return self._transaction(answer)

    def refund(
        self, order: PaymentOrder, *, amount_vnd: int, reason: str, by: str, transaction_no: str = ""
    ) -> GatewayTransaction:
        raise GatewayError("the DVCQG payment platform makes no refunds; the treasury returns the fee")

    def _call(self, request: dict[str, Any], answer_fields: tuple[str, ...]) -> dict[str, str]:
        http_request = urllib.request.Request(
            f"{self.base_url}/api/thanh-toan",
            data=json.dumps(request, ensure_ascii=False).encode(),
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise GatewayError(f"DVCQG payment platform answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as exc:
            raise GatewayError(f"DVCQG payment platform unreachable: {exc}") from exc
        if not isinstance(answer, dict):
            raise GatewayError("DVCQG payment platform answered something other than a JSON object")
        answer = {key: "" if value is None else str(value) for key, value in answer.items()}
        code = answer.get("MaKetQua", "")
        if code not in (SUCCESS, "91"):
            # Error answers of an unknown partner cannot be signed with our secret: trust the code only
            # to report it, never to act on.
            label = API_RESULT_LABELS.get(code, API_RESULT_LABELS["99"])
            raise GatewayError(f"DVCQG payment platform {request['service']}: {code} {label}")
        if not hmac.compare_digest(
            answer.get("Checksum", "").lower(), hmac_sha256(self.secret, checksum_line(answer, answer_fields))
        ):
            raise SignatureInvalid("the DVCQG platform's answer has a bad Checksum")
        return answer

    def _result(self, params: Mapping[str, str]) -> GatewayTransaction:
        received = str(params.get("Checksum", "")).lower()
        expected = hmac_sha256(self.secret, checksum_line(params, RESULT_FIELDS))
        if not received or not hmac.compare_digest(received, expected):
            raise SignatureInvalid("Checksum does not match the payment result")
        if params.get("MaDoiTac") != self.client_id:
            raise SignatureInvalid(f"MaDoiTac {params.get('MaDoiTac')!r} is not ours")
        return self._transaction(params)

    def _transaction(self, params: Mapping[str, str]) -> GatewayTransaction:
        amount = str(params.get("SoTien", ""))
        if not amount.isdigit():
            raise GatewayError(f"SoTien is not an integer amount of VND: {amount!r}")
        status = str(params.get("TrangThai", ""))
        code = str(params.get("MaLoi", ""))
        success = status == SUCCESS and code == SUCCESS
        return GatewayTransaction(
            reference=str(params.get("MaGiaoDich", "")),
            amount_vnd=int(amount),
            success=success,
            response_code=code,
            transaction_status=status,
            transaction_no=str(params.get("MaThanhToan", "")),
            bank_code=str(params.get("NganHang", "")),
            paid_at=parse_wire_time(str(params.get("ThoiGianThanhToan", ""))) if success else None,
            raw=dict(params),
            message=str(RESULT_LABELS.get(code, RESULT_LABELS["99"])),
        )
