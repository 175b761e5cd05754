"""The gateway adapters against the sandbox bank of the stand-in process, over the network.

The citizen's browser is a plain HTTP client driving the bank's payment page; the merchant's
notification URL is a small HTTP server of the test, which answers as the protocol says and keeps
what it received.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import time_machine
from django.utils import timezone

from motcua.payments.gateways.base import (
    FeeLine,
    GatewayError,
    NotificationOutcome,
    PaymentOrder,
    SignatureInvalid,
)
from motcua.payments.gateways.dvcqg import DvcqgGateway
from motcua.payments.gateways.vnpay import VnpayGateway

RETURN_URL = "http://127.0.0.1:8000/thanh-toan/ket-qua?cong=vnpay"
WAIT_SECONDS = 60  # an upper bound for the background retries to arrive; no duration is asserted


@dataclass
class Merchant:
    """The merchant's notification endpoint: answers each call from ``answers`` (then the last)."""

    url: str = ""
    received: list[dict[str, str]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def wait_for(self, count: int) -> list[dict[str, str]]:
        deadline = time.monotonic() + WAIT_SECONDS
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@pytest.fixture
def merchant() -> Iterator[Merchant]:
    state = Merchant()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, params: dict[str, str]) -> None:
            index = min(len(state.received), max(len(state.answers) - 1, 0))
            state.received.append(params)
            status, body = state.answers[index] if state.answers else (200, {"RspCode": "00"})
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # VNPay's IPN
            self._answer(dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)))

        def do_POST(self) -> None:  # the DVCQG platform's callback
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer(DvcqgGateway.notification_params(_dvcqg(""), query={}, body=body, content_type=""))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/ipn"
    yield state
    server.shutdown()
    server.server_close()


_counter = iter(range(1, 10**6))


def _order(**changes: Any) -> PaymentOrder:
    """Nguyễn Văn An's fee for his household-business registration: 150 000 ₫, 15 minutes to pay."""
    now = timezone.now()
    order = PaymentOrder(
        reference=f"TT-{now:%y%m%d%H%M%S}-{next(_counter)}",
        amount_vnd=150_000,
        description="Nộp lệ phí hồ sơ 000.00.H49-261202-0001",
        created_at=now,
        expires_at=now + timedelta(minutes=15),
        dossier_code="000.00.H49-261202-0001",
        procedure_code="1.001612",
        fee_lines=(FeeLine(code="LP01", name="Lệ phí đăng ký hộ kinh doanh", amount_vnd=150_000),),
    )
    return replace(order, **changes)


def _vnpay(standins: Any, *, secret: str = "MOTCUASANDBOXSECRET", tmn_code: str = "MOTCUA01") -> VnpayGateway:
    return VnpayGateway(
        payment_url=f"{standins.url}/vnpay/paymentv2/vpcpay.html",
        api_url=f"{standins.url}/vnpay/merchant_webapi/api/transaction",
        tmn_code=tmn_code,
        hash_secret=secret,
    )


def _dvcqg(url: str, *, secret: str = "motcua-dvcqg-sandbox-secret") -> DvcqgGateway:
    return DvcqgGateway(
        base_url=f"{url}/dvcqg-payment", client_id="motcua-qn", secret=secret, agency_code="000.00.00.H49"
    )


def _press(page_url: str, button: str) -> dict[str, str]:
    """The citizen opens the payment page and presses a button; the bank's redirect's parameters."""
    page = requests.get(page_url, timeout=10)
    assert page.status_code == 200, page.text
    assert "THỬ NGHIỆM" in page.text
    assert "150.000 ₫" in page.text
    for label in ("Thanh toán", "Giao dịch thất bại", "Hủy giao dịch"):
        assert label in page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert action
    assert token
    base = urlsplit(page_url)
    answer = requests.post(
        f"{base.scheme}://{base.netloc}{action.group(1)}",
        data={"token": token.group(1), "action": button},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert (
        f"{location.scheme}://{location.netloc}{location.path}" == "http://127.0.0.1:8000/thanh-toan/ket-qua"
    )
    return dict(parse_qsl(location.query, keep_blank_values=True))


def test_an_pays_through_vnpay_the_ipn_and_the_return_say_so(
    payment_gateways_on: Any, merchant: Merchant
) -> None:
    payment_gateways_on.set_ipn_url("vnpay", merchant.url)
    gateway = _vnpay(payment_gateways_on)
    order = _order()
    returned = _press(gateway.checkout_url(order, return_url=RETURN_URL), "pay")
    assert returned["cong"] == "vnpay"  # the return URL's own parameter survives

    shown = gateway.verify_return(returned)
    (ipn,) = merchant.wait_for(1)
    confirmed = gateway.verify_notification(ipn)
    for transaction in (shown, confirmed):
        assert transaction.success
        assert (transaction.reference, transaction.amount_vnd) == (order.reference, 150_000)
        assert transaction.bank_code == "NCB"
        assert transaction.transaction_no
        assert transaction.paid_at is not None

    queried = gateway.query(order)
    assert queried.success
    assert queried.transaction_no == confirmed.transaction_no
    assert queried.amount_vnd == 150_000
    demo = requests.get(f"{payment_gateways_on.url}/", timeout=10).text
    assert re.search(rf"<td>{order.reference}</td><td>150.000 ₫</td><td>Đã thanh toán</td>", demo)


@pytest.mark.parametrize(("button", "code"), [("fail", "51"), ("cancel", "24")])
def test_a_failed_or_cancelled_vnpay_payment_is_reported_as_such(
    payment_gateways_on: Any, merchant: Merchant, button: str, code: str
) -> None:
    payment_gateways_on.set_ipn_url("vnpay", merchant.url)
    gateway = _vnpay(payment_gateways_on)
    order = _order()
    returned = gateway.verify_return(_press(gateway.checkout_url(order, return_url=RETURN_URL), button))
    (ipn,) = merchant.wait_for(1)
    for transaction in (returned, gateway.verify_notification(ipn)):
        assert not transaction.success
        assert (transaction.response_code, transaction.transaction_status) == (code, "02")
    assert not gateway.query(order).success


def test_an_expired_vnpay_order_ends_with_code_11_whatever_the_button(
    payment_gateways_on: Any, merchant: Merchant
) -> None:
    payment_gateways_on.set_ipn_url("vnpay", merchant.url)
    gateway = _vnpay(payment_gateways_on)
    past = timezone.now() - timedelta(hours=1)
    order = _order(created_at=past - timedelta(minutes=15), expires_at=past)
    returned = gateway.verify_return(_press(gateway.checkout_url(order, return_url=RETURN_URL), "pay"))
    assert (returned.success, returned.response_code) == (False, "11")
    assert returned.message == "Đã hết hạn chờ thanh toán"
    assert gateway.verify_notification(merchant.wait_for(1)[0]).response_code == "11"


def test_the_bank_refuses_a_bad_signature_and_an_unknown_merchant(payment_gateways_on: Any) -> None:
    url = _vnpay(payment_gateways_on).checkout_url(_order(), return_url=RETURN_URL)
    tampered = requests.get(url.replace("vnp_Amount=15000000", "vnp_Amount=1500000"), timeout=10)
    assert tampered.status_code == 400
    assert "Sai chữ ký" in tampered.text
    wrong_secret = _vnpay(payment_gateways_on, secret="WRONG").checkout_url(_order(), return_url=RETURN_URL)
    assert "Sai chữ ký" in requests.get(wrong_secret, timeout=10).text
    stranger = _vnpay(payment_gateways_on, tmn_code="STRANGER").checkout_url(_order(), return_url=RETURN_URL)
    refused = requests.get(stranger, timeout=10)
    assert refused.status_code == 400
    assert "chưa được phê duyệt" in refused.text


def test_querydr_of_an_order_the_bank_never_saw_and_of_one_not_yet_paid(payment_gateways_on: Any) -> None:
    gateway = _vnpay(payment_gateways_on)
    unknown = gateway.query(_order())
    assert (unknown.success, unknown.response_code) == (False, "91")
    opened = _order()
    assert requests.get(gateway.checkout_url(opened, return_url=RETURN_URL), timeout=10).status_code == 200
    pending = gateway.query(opened)
    assert (pending.success, pending.response_code, pending.transaction_status) == (False, "00", "01")


def test_api_calls_with_a_wrong_secret_or_merchant_are_gateway_errors(payment_gateways_on: Any) -> None:
    with pytest.raises(SignatureInvalid):
        # The bank answers 97 signed with the real secret, which our wrong one cannot verify.
        _vnpay(payment_gateways_on, secret="WRONG").query(_order())
    with pytest.raises(GatewayError):
        _vnpay(payment_gateways_on, tmn_code="STRANGER").query(_order())


def test_refunds_partial_then_the_rest_then_no_more(payment_gateways_on: Any, merchant: Merchant) -> None:
    payment_gateways_on.set_ipn_url("vnpay", merchant.url)
    gateway = _vnpay(payment_gateways_on)
    order = _order()
    paid = gateway.verify_return(_press(gateway.checkout_url(order, return_url=RETURN_URL), "pay"))
    by = "Trần Thị Hoa"
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        part = gateway.refund(order, amount_vnd=50_000, reason="Hoàn một phần lệ phí", by=by)
        rest = gateway.refund(
            order, amount_vnd=100_000, reason="Hoàn phần còn lại", by=by, transaction_no=paid.transaction_no
        )
        more = gateway.refund(order, amount_vnd=1_000, reason="Hoàn thêm", by=by)
    assert (part.success, part.amount_vnd, part.raw["vnp_TransactionType"]) == (True, 50_000, "03")
    assert (rest.success, rest.amount_vnd) == (True, 100_000)
    assert (more.success, more.response_code) == (False, "95")
    with pytest.raises(ValueError, match="refund amount"):
        gateway.refund(order, amount_vnd=200_000, reason="Quá số tiền", by=by)


def test_an_unpaid_order_cannot_be_refunded(payment_gateways_on: Any, merchant: Merchant) -> None:
    payment_gateways_on.set_ipn_url("vnpay", merchant.url)
    gateway = _vnpay(payment_gateways_on)
    order = _order()
    _press(gateway.checkout_url(order, return_url=RETURN_URL), "cancel")
    refused = gateway.refund(order, amount_vnd=150_000, reason="Hoàn", by="Trần Thị Hoa")
    assert (refused.success, refused.response_code) == (False, "95")


def test_the_bank_retries_an_unanswered_ipn_and_can_replay_one(
    payment_gateways_on: Any, merchant: Merchant
) -> None:
    payment_gateways_on.set_ipn_url("vnpay", merchant.url)
    merchant.answers = [
        (500, {}),
        (200, {"RspCode": "99", "Message": "Unknown error"}),
        (200, {"RspCode": "00"}),
    ]
    gateway = _vnpay(payment_gateways_on)
    order = _order()
    _press(gateway.checkout_url(order, return_url=RETURN_URL), "pay")
    first, second, third = merchant.wait_for(3)
    assert first == second == third
    assert gateway.verify_notification(third).success
    assert payment_gateways_on.bank_post("/vnpay/_test/replay", reference=order.reference) == {
        "delivered": True
    }
    assert merchant.wait_for(4)[3] == first
    attempts = [n for n in payment_gateways_on.bank()["notifications"] if n["reference"] == order.reference]
    assert sorted(n["http_status"] for n in attempts) == [200, 200, 200, 500]


def test_an_pays_through_the_dvcqg_platform(payment_gateways_on: Any, merchant: Merchant) -> None:
    payment_gateways_on.set_ipn_url("dvcqg", merchant.url)
    gateway = _dvcqg(payment_gateways_on.url)
    order = _order()
    page_url = gateway.checkout_url(order, return_url=RETURN_URL)
    assert page_url.startswith(f"{payment_gateways_on.url}/dvcqg-payment/thanh-toan?")
    assert gateway.checkout_url(order, return_url=RETURN_URL) == page_url  # asking again: same payment
    returned = gateway.verify_return(_press(page_url, "pay"))
    (callback,) = merchant.wait_for(1)
    confirmed = gateway.verify_notification(callback)
    assert returned.success
    assert confirmed.success
    assert (confirmed.reference, confirmed.amount_vnd, confirmed.raw["MaHoSo"]) == (
        order.reference,
        150_000,
        "000.00.H49-261202-0001",
    )
    queried = gateway.query(order)
    assert queried.success
    assert queried.transaction_no == confirmed.transaction_no
    assert gateway.notification_answer(NotificationOutcome.CONFIRMED) == (
        200,
        {"MaLoi": "00", "MoTa": "Xác nhận thành công"},
    )
    assert (gateway.query(_order()).response_code) == "91"


def test_the_dvcqg_platform_refuses_bad_requests(payment_gateways_on: Any, merchant: Merchant) -> None:
    payment_gateways_on.set_ipn_url("dvcqg", merchant.url)
    with pytest.raises(GatewayError, match="97"):
        _dvcqg(payment_gateways_on.url, secret="WRONG").checkout_url(_order(), return_url=RETURN_URL)
    cancelled = _order()
    gateway = _dvcqg(payment_gateways_on.url)
    assert not gateway.verify_return(
        _press(gateway.checkout_url(cancelled, return_url=RETURN_URL), "cancel")
    ).success
    with pytest.raises(GatewayError, match="03"):  # the reference of a finished payment is not reused
        gateway.checkout_url(cancelled, return_url=RETURN_URL)


def test_a_second_press_on_a_finished_payment_changes_nothing(
    payment_gateways_on: Any, merchant: Merchant
) -> None:
    payment_gateways_on.set_ipn_url("vnpay", merchant.url)
    gateway = _vnpay(payment_gateways_on)
    order = _order()
    page = requests.get(gateway.checkout_url(order, return_url=RETURN_URL), timeout=10).text
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token
    pay_url = f"{payment_gateways_on.url}/vnpay/paymentv2/pay"
    first = requests.post(
        pay_url, data={"token": token.group(1), "action": "pay"}, allow_redirects=False, timeout=30
    )
    again = requests.post(
        pay_url, data={"token": token.group(1), "action": "cancel"}, allow_redirects=False, timeout=30
    )
    assert first.status_code == 302
    assert again.status_code == 400
    assert "Giao dịch đã kết thúc" in again.text
    assert len(merchant.wait_for(1)) == 1
    assert gateway.query(order).success
    reopened = requests.get(gateway.checkout_url(order, return_url=RETURN_URL), timeout=10)
    assert reopened.status_code == 400
    assert "Mã giao dịch đã tồn tại" in reopened.text
