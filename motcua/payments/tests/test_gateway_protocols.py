"""Protocol vectors of the gateway adapters: canonical strings, signatures, answers — no network."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest

from motcua.payments.gateways.base import (
    FeeLine,
    GatewayError,
    NotificationOutcome,
    PaymentOrder,
    SignatureInvalid,
    gateway_get,
)
from motcua.payments.gateways.dvcqg import RESULT_FIELDS, DvcqgGateway
from motcua.payments.gateways.vnpay import (
    QUERY_FIELDS,
    VnpayGateway,
    canonical_query,
    checksum_line,
    parse_wire_time,
    plain_text,
    wire_time,
)

SECRET = "MOTCUASANDBOXSECRET"
RETURN_URL = "https://dichvucong.quangninh.gov.vn/thanh-toan/vnpay/ket-qua"
# Nguyễn Văn An pays the fee of his dossier: 150 000 ₫, asked for at 10:00 Vietnam time.
AN_ORDER = PaymentOrder(
    reference="TT-2612020001",
    amount_vnd=150_000,
    description="Nộp lệ phí hồ sơ 000.00.H49-261202-0001",
    created_at=datetime(2026, 12, 2, 3, 0, tzinfo=UTC),
    expires_at=datetime(2026, 12, 2, 3, 15, tzinfo=UTC),
    dossier_code="000.00.H49-261202-0001",
    procedure_code="1.001612",
    fee_lines=(FeeLine(code="LP01", name="Lệ phí đăng ký hộ kinh doanh", amount_vnd=150_000),),
    client_ip="203.113.130.5",
)
# The canonical string of AN_ORDER, written out by hand from VNPay's rule (sorted, quote_plus).
AN_CANONICAL = (
    "vnp_Amount=15000000&vnp_Command=pay&vnp_CreateDate=20261202100000&vnp_CurrCode=VND"
    "&vnp_ExpireDate=20261202101500&vnp_IpAddr=203.113.130.5&vnp_Locale=vn"
    "&vnp_OrderInfo=Nop+le+phi+ho+so+000+00+H49+261202+0001&vnp_OrderType=other"
    "&vnp_ReturnUrl=https%3A%2F%2Fdichvucong.quangninh.gov.vn%2Fthanh-toan%2Fvnpay%2Fket-qua"
    "&vnp_TmnCode=MOTCUA01&vnp_TxnRef=TT-2612020001&vnp_Version=2.1.0"
)
# HMAC-SHA512 of AN_CANONICAL under SECRET, computed once with Python's hmac and kept as a literal.
AN_SIGNATURE = (
    "96097d5e80598f0279686d58d7c152804658589e4dd113b570c49ecd54ee26fa"
    "9c1dabcfb5db6ecb832c22debb72fe6c456a6b2068715e49b566bd8d126b245f"
)


def _vnpay() -> VnpayGateway:
    return VnpayGateway(
        payment_url="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
        api_url="https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
        tmn_code="MOTCUA01",
        hash_secret=SECRET,
    )


def _signed(params: dict[str, str], secret: str = SECRET) -> dict[str, str]:
    data = "&".join(f"{k}={v}" for k, v in sorted(params.items()))  # values here need no encoding
    return {**params, "vnp_SecureHash": hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()}


def _ipn(**changes: str) -> dict[str, str]:
    params = {
        "vnp_Amount": "15000000",
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14000001",
        "vnp_CardType": "ATM",
        "vnp_PayDate": "20261202100512",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "MOTCUA01",
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "TT-2612020001",
    }
    params.update(changes)
    return _signed(params)


def test_the_canonical_string_of_vnpays_published_example_is_its_query_string() -> None:
    # The payment URL of VNPay's integration guide (sandbox.vnpayment.vn/apis/docs/huong-dan-tich-hop/):
    # its query string before vnp_SecureHash is exactly the canonical string of its parameters.
    published = (
        "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
        "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_OrderType=other"
        "&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl&vnp_TmnCode=DEMOV210&vnp_TxnRef=5"
        "&vnp_Version=2.1.0"
    )
    params = dict(parse_qsl(published))
    assert params["vnp_OrderInfo"] == "Thanh toan don hang :5"
    shuffled = dict(reversed(list(params.items())))
    assert canonical_query({**shuffled, "vnp_SecureHashType": "HmacSHA512"}) == published


def test_a_known_order_gives_the_known_signature() -> None:
    params = _vnpay().payment_params(AN_ORDER, return_url=RETURN_URL)
    assert canonical_query(params) == AN_CANONICAL
    independent = hmac.new(SECRET.encode(), AN_CANONICAL.encode(), hashlib.sha512).hexdigest()
    assert params["vnp_SecureHash"] == independent == AN_SIGNATURE
    assert params["vnp_Amount"] == "15000000"  # VND × 100


def test_the_checkout_url_carries_the_signed_parameters() -> None:
    url = _vnpay().checkout_url(AN_ORDER, return_url=RETURN_URL)
    parts = urlsplit(url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    )
    assert parts.query == f"{AN_CANONICAL}&vnp_SecureHash={AN_SIGNATURE}"


def test_the_order_reference_and_amount_are_checked_before_anything_is_sent() -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="vnp_TxnRef"):
        _vnpay().checkout_url(replace(AN_ORDER, reference="TT/2612"), return_url=RETURN_URL)
    with pytest.raises(ValueError, match="amount"):
        _vnpay().checkout_url(replace(AN_ORDER, amount_vnd=0), return_url=RETURN_URL)


def test_order_info_is_vietnamese_without_diacritics_or_special_characters() -> None:
    assert plain_text("Đóng lệ phí: cấp đổi GPLX (Đồng Nai)!") == "Dong le phi cap doi GPLX Dong Nai"


def test_wire_times_are_vietnam_time() -> None:
    assert wire_time(datetime(2026, 12, 2, 17, 30, tzinfo=UTC)) == "20261203003000"
    assert parse_wire_time("20261203003000") == datetime(2026, 12, 2, 17, 30, tzinfo=UTC)
    assert parse_wire_time("2026-12-03") is None


def test_a_genuine_ipn_verifies_as_paid() -> None:
    transaction = _vnpay().verify_notification(_ipn())
    assert transaction.success
    assert (transaction.reference, transaction.amount_vnd, transaction.transaction_no) == (
        "TT-2612020001",
        150_000,
        "14000001",
    )
    assert transaction.paid_at == datetime(2026, 12, 2, 3, 5, 12, tzinfo=UTC)
    assert transaction.message == "Giao dịch thành công"


@pytest.mark.parametrize(
    ("code", "label"),
    [("24", "Khách hàng hủy giao dịch"), ("11", "Đã hết hạn chờ thanh toán"), ("51", "không đủ số dư")],
)
def test_failed_payments_verify_as_not_paid_with_their_meaning(code: str, label: str) -> None:
    transaction = _vnpay().verify_return(_ipn(vnp_ResponseCode=code, vnp_TransactionStatus="02"))
    assert not transaction.success
    assert transaction.paid_at is None
    assert label in transaction.message


@pytest.mark.parametrize(
    "tamper",
    [
        {"vnp_Amount": "1500000000"},
        {"vnp_ResponseCode": "00", "vnp_TxnRef": "TT-2612020002"},
        {"vnp_SecureHash": ""},
        {"vnp_SecureHash": "0" * 128},
    ],
)
def test_a_tampered_ipn_is_rejected(tamper: dict[str, str]) -> None:
    with pytest.raises(SignatureInvalid):
        _vnpay().verify_notification({**_ipn(), **tamper})


def test_an_ipn_signed_with_another_secret_or_for_another_merchant_is_rejected() -> None:
    params = {k: v for k, v in _ipn().items() if k != "vnp_SecureHash"}
    with pytest.raises(SignatureInvalid):
        _vnpay().verify_notification(_signed(params, secret="ANOTHERSECRET"))
    with pytest.raises(SignatureInvalid, match="vnp_TmnCode"):
        _vnpay().verify_notification(_signed({**params, "vnp_TmnCode": "OTHER001"}))


def test_an_empty_field_is_signed_as_name_equals_nothing() -> None:
    # VNPay's PHP and Python samples sign "vnp_CardType=" for an empty card type; so do we.
    params = {k: v for k, v in _ipn(vnp_CardType="").items() if k != "vnp_SecureHash"}
    assert "&vnp_CardType=&" in canonical_query(params)
    assert _vnpay().verify_notification(_signed(params)).success
    assert canonical_query({"vnp_A": "1", "other": "x", "vnp_SecureHashType": "HmacSHA512"}) == "vnp_A=1"


def test_a_signed_ipn_with_a_broken_amount_is_a_protocol_error() -> None:
    with pytest.raises(GatewayError, match="vnp_Amount"):
        _vnpay().verify_notification(_ipn(vnp_Amount="1500050"))


def test_ipn_answers_are_vnpays_words() -> None:
    gateway = _vnpay()
    answers = {outcome: gateway.notification_answer(outcome) for outcome in NotificationOutcome}
    assert answers == {
        NotificationOutcome.CONFIRMED: (200, {"RspCode": "00", "Message": "Confirm Success"}),
        NotificationOutcome.ORDER_NOT_FOUND: (200, {"RspCode": "01", "Message": "Order not found"}),
        NotificationOutcome.ALREADY_CONFIRMED: (200, {"RspCode": "02", "Message": "Order already confirmed"}),
        NotificationOutcome.INVALID_AMOUNT: (200, {"RspCode": "04", "Message": "Invalid amount"}),
        NotificationOutcome.INVALID_SIGNATURE: (200, {"RspCode": "97", "Message": "Invalid signature"}),
        NotificationOutcome.UNKNOWN_ERROR: (200, {"RspCode": "99", "Message": "Unknown error"}),
    }


def test_the_querydr_checksum_joins_the_documented_fields_with_pipes() -> None:
    request = {
        "vnp_RequestId": "a1",
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": "MOTCUA01",
        "vnp_TxnRef": "TT-2612020001",
        "vnp_TransactionDate": "20261202100000",
        "vnp_CreateDate": "20261202110000",
        "vnp_IpAddr": "127.0.0.1",
        "vnp_OrderInfo": "Truy van",
    }
    assert checksum_line(request, QUERY_FIELDS) == (
        "a1|2.1.0|querydr|MOTCUA01|TT-2612020001|20261202100000|20261202110000|127.0.0.1|Truy van"
    )


def test_the_vnpay_notification_is_read_from_the_query_string() -> None:
    params = _vnpay().notification_params(query={"vnp_TxnRef": "TT-1"}, body=b"ignored", content_type="")
    assert params == {"vnp_TxnRef": "TT-1"}


# --- DVCQG payment platform -------------------------------------------------------------------------


def _dvcqg() -> DvcqgGateway:
    return DvcqgGateway(
        base_url="https://thanhtoan.dichvucong.gov.vn",
        client_id="motcua-qn",
        secret="dvcqg-secret",
        agency_code="000.00.00.H49",
    )


def _dvcqg_result(**changes: str) -> dict[str, str]:
    result = {
        "MaDoiTac": "motcua-qn",
        "MaGiaoDich": "TT-2612020001",
        "MaThanhToan": "TT20261202100512ABCDEF",
        "MaHoSo": "000.00.H49-261202-0001",
        "SoTien": "150000",
        "TrangThai": "00",
        "MaLoi": "00",
        "NganHang": "NCB",
        "ThoiGianThanhToan": "20261202100512",
    }
    result.update(changes)
    line = "|".join(result[name] for name in RESULT_FIELDS)
    result["Checksum"] = hmac.new(b"dvcqg-secret", line.encode(), hashlib.sha256).hexdigest()
    return result


def test_the_dvcqg_request_carries_the_fee_lines_and_a_checksum() -> None:
    request = _dvcqg().create_request(AN_ORDER, return_url=RETURN_URL)
    assert request["PhiLePhi"] == [
        {"MaPhiLePhi": "LP01", "TenPhiLePhi": "Lệ phí đăng ký hộ kinh doanh", "SoTien": 150000}
    ]
    line = (
        f"TaoGiaoDichThanhToan|motcua-qn|000.00.00.H49|TT-2612020001|000.00.H49-261202-0001|1.001612|150000"
        f"|20261202100000|20261202101500|{RETURN_URL}"
    )
    assert request["Checksum"] == hmac.new(b"dvcqg-secret", line.encode(), hashlib.sha256).hexdigest()


def test_dvcqg_fee_lines_must_add_up() -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="add up"):
        _dvcqg().create_request(replace(AN_ORDER, amount_vnd=200_000), return_url=RETURN_URL)


def test_a_dvcqg_callback_is_read_from_json_and_verified() -> None:
    import json

    gateway = _dvcqg()
    params = gateway.notification_params(
        query={}, body=json.dumps(_dvcqg_result()).encode(), content_type="application/json"
    )
    transaction = gateway.verify_notification(params)
    assert transaction.success
    assert transaction.amount_vnd == 150_000
    assert transaction.transaction_no == "TT20261202100512ABCDEF"
    assert gateway.notification_params(query={}, body=b"not json", content_type="") == {}
    with pytest.raises(SignatureInvalid):
        gateway.verify_notification({**_dvcqg_result(), "SoTien": "1500000"})
    with pytest.raises(SignatureInvalid):
        gateway.verify_notification({})


def test_dvcqg_callback_answers() -> None:
    assert _dvcqg().notification_answer(NotificationOutcome.ALREADY_CONFIRMED) == (
        200,
        {"MaLoi": "02", "MoTa": "Giao dịch đã được xác nhận"},
    )


def test_the_dvcqg_platform_makes_no_refunds() -> None:
    with pytest.raises(GatewayError, match="no refunds"):
        _dvcqg().refund(AN_ORDER, amount_vnd=150_000, reason="Trả lại", by="Trần Thị Hoa")


def test_gateways_are_built_from_settings() -> None:
    vnpay = gateway_get("vnpay")
    dvcqg = gateway_get("dvcqg")
    assert isinstance(vnpay, VnpayGateway)
    assert vnpay.tmn_code == "MOTCUA01"
    assert isinstance(dvcqg, DvcqgGateway)
    assert dvcqg.client_id == "motcua-qn"
    with pytest.raises(KeyError):
        gateway_get("momo")
