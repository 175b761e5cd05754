"""The sandbox bank — ngân hàng thử nghiệm: the bank side of the payment gateways motcua talks to.

Two protocols, each under its own prefix of the stand-ins process (``app.py`` mounts ``ROUTES``):

``/vnpay/``          the VNPay merchant integration, version 2.1.0: ``GET /vnpay/paymentv2/vpcpay.html``
                     (the signed payment URL → a payment page, or the bank's error page for an unknown
                     ``vnp_TmnCode`` / bad ``vnp_SecureHash`` / bad parameters),
                     ``POST /vnpay/merchant_webapi/api/transaction`` (``querydr``, ``refund``: signed JSON).
``/dvcqg-payment/``  the national portal's payment platform as motcua's adapter assumes it
                     (motcua/payments/gateways/dvcqg.py): ``POST /dvcqg-payment/api/thanh-toan``
                     (``TaoGiaoDichThanhToan``, ``TraCuuGiaoDich``) and its payment page.

The payment page has three buttons — "Thanh toán", "Giao dịch thất bại", "Hủy giao dịch". Each (a)
sends the signed result to the merchant's notification URL (VNPay: GET with query parameters to
``STANDINS_VNPAY_IPN_URL``; DVCQG: POST of a JSON object to ``STANDINS_DVCQG_CALLBACK_URL``), retried
``STANDINS_IPN_RETRIES`` times ``STANDINS_IPN_RETRY_SECONDS`` apart in the background until the
merchant answers definitely, and (b) redirects the browser to the merchant's return URL with the same
signed result. A payment past its expiry date ends with code 11 whatever the button.
``POST /_standin/bank/merchant`` (``gateway``, ``ipn_url``) changes a merchant's notification URL (a
test's own server). ``POST /vnpay/_test/replay`` (``reference=…``, ``gateway``) sends the last
notification of an order once more — a replayed/duplicated IPN, for the tests.
``GET /_standin/bank.json`` lists transactions and notification attempts. Nothing here is real
money: the page says so.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import os
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[2]
DB_PATH = Path(os.environ.get("STANDINS_DB", str(REPO / "var" / "standins.sqlite3")))
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WIRE_TIME = "%Y%m%d%H%M%S"
MERCHANT_NAME = os.environ.get("STANDINS_MERCHANT_NAME", "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh")

# The merchant registry: what VNPay (and the platform) know of each merchant when it signs up.
VNPAY_MERCHANTS = {
    os.environ.get("STANDINS_VNPAY_TMN_CODE", "MOTCUA01"): {
        "secret": os.environ.get("STANDINS_VNPAY_HASH_SECRET", "MOTCUASANDBOXSECRET"),
        "ipn_url": os.environ.get("STANDINS_VNPAY_IPN_URL", "http://127.0.0.1:8000/thanh-toan/ipn/vnpay"),
    }
}
DVCQG_PARTNERS = {
    os.environ.get("STANDINS_DVCQG_CLIENT_ID", "motcua-qn"): {
        "secret": os.environ.get("STANDINS_DVCQG_SECRET", "motcua-dvcqg-sandbox-secret"),
        "ipn_url": os.environ.get(
            "STANDINS_DVCQG_CALLBACK_URL", "http://127.0.0.1:8000/thanh-toan/ipn/dvcqg"
        ),
    }
}
IPN_RETRIES = int(os.environ.get("STANDINS_IPN_RETRIES", "3"))
IPN_RETRY_SECONDS = float(os.environ.get("STANDINS_IPN_RETRY_SECONDS", "2"))

VNPAY_QUERY_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate",
    "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
VNPAY_QUERY_ANSWER_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
    "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount",
)  # fmt: skip
VNPAY_REFUND_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef",
    "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate",
    "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
VNPAY_REFUND_ANSWER_FIELDS = VNPAY_QUERY_ANSWER_FIELDS[:13]
DVCQG_CREATE_FIELDS = (
    "service", "MaDoiTac", "MaDonVi", "MaGiaoDich", "MaHoSo", "MaTTHC", "SoTien", "ThoiGianTao",
    "ThoiGianHetHan", "UrlTraVe",
)  # fmt: skip
DVCQG_CREATE_ANSWER_FIELDS = ("MaKetQua", "MaGiaoDich", "MaThanhToan", "UrlThanhToan")
DVCQG_QUERY_FIELDS = ("service", "MaDoiTac", "MaGiaoDich", "ThoiGianYeuCau")
DVCQG_RESULT_FIELDS = (
    "MaDoiTac", "MaGiaoDich", "MaThanhToan", "MaHoSo", "SoTien", "TrangThai", "MaLoi", "NganHang",
    "ThoiGianThanhToan",
)  # fmt: skip

# Button → (response code, transaction status): pay, insufficient funds, cancelled by the payer.
OUTCOMES = {"pay": ("00", "00"), "fail": ("51", "02"), "cancel": ("24", "02")}
EXPIRED = ("11", "02")
_REFERENCE = re.compile(r"[A-Za-z0-9-]{1,34}")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Environ = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bank_txn (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    gateway TEXT NOT NULL,
    merchant TEXT NOT NULL,
    reference TEXT NOT NULL,
    amount_vnd INTEGER NOT NULL,
    order_info TEXT NOT NULL,
    create_date TEXT NOT NULL,
    expire_date TEXT NOT NULL,
    return_url TEXT NOT NULL,
    extra TEXT NOT NULL,
    status TEXT NOT NULL,
    transaction_no TEXT NOT NULL DEFAULT '',
    response_code TEXT NOT NULL DEFAULT '',
    transaction_status TEXT NOT NULL DEFAULT '01',
    pay_date TEXT NOT NULL DEFAULT '',
    refunded_vnd INTEGER NOT NULL DEFAULT 0,
    result TEXT NOT NULL DEFAULT '{}',
    UNIQUE (gateway, merchant, reference)
);
CREATE TABLE IF NOT EXISTS bank_ipn (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    gateway TEXT NOT NULL,
    reference TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    url TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    answer TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bank_request (request_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS bank_merchant (
    gateway TEXT NOT NULL,
    merchant TEXT NOT NULL,
    ipn_url TEXT NOT NULL,
    PRIMARY KEY (gateway, merchant)
);
"""
_lock = threading.Lock()


def _db() -> sqlite3.Connection:
    DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(DB_PATH, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.executescript(_SCHEMA)
    return conn


def _vn_now() -> datetime:
    return datetime.now(VN_TZ).replace(tzinfo=None)


def _wire(moment: datetime) -> str:
    return moment.strftime(WIRE_TIME)


def _parse_wire(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, WIRE_TIME)
    except ValueError:
        return None


def _hmac(secret: str, data: str, digest: Any = hashlib.sha512) -> str:
    return hmac.new(secret.encode(), data.encode(), digest).hexdigest()


def vnpay_sign(secret: str, params: Mapping[str, str]) -> str:
    """VNPay's signature: HMAC-SHA512 of the sorted, quote_plus-encoded ``vnp_*`` query string."""
    items = sorted(
        (k, v)
        for k, v in params.items()
        if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType")
    )
    return _hmac(secret, urlencode(items, quote_via=quote_plus))


def _pipe(values: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    return "|".join("" if values.get(f) is None else str(values.get(f)) for f in fields)


def _read_body(environ: Environ) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return bytes(environ["wsgi.input"].read(length)) if length else b""


def _json_out(start_response: StartResponse, body: Any, status: str = "200 OK") -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(
        status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


def _html_out(start_response: StartResponse, body: str, status: str = "200 OK") -> list[bytes]:
    data = body.encode()
    start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))])
    return [data]


def _page(title: str, content: str) -> str:
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} — Ngân hàng thử nghiệm</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:1rem auto;max-width:40rem;color:#1a1a1a}"
        ".sandbox{background:#fff3cd;border:2px solid #8a6d00;padding:.5rem;font-weight:bold}"
        "dt{font-weight:bold}button{font-size:1rem;padding:.6rem 1rem;margin:.3rem}</style></head>"
        "<body><main>"
        '<p class="sandbox" role="note">MÔI TRƯỜNG THỬ NGHIỆM (SANDBOX) — không có tiền thật được chuyển.</p>'
        f"<h1>{html.escape(title)}</h1>{content}</main></body></html>"
    )


def _error_page(start_response: StartResponse, message: str, code: str) -> list[bytes]:
    content = f"<p>{html.escape(message)}</p><p>Mã lỗi: <strong>{html.escape(code)}</strong></p>"
    return _html_out(start_response, _page("Giao dịch không hợp lệ", content), "400 Bad Request")


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " ₫"


def _payment_page(start_response: StartResponse, row: sqlite3.Row, action: str) -> list[bytes]:
    expire = _parse_wire(row["expire_date"])
    expired = expire is not None and _vn_now() > expire
    notice = "<p><strong>Giao dịch đã quá thời gian chờ thanh toán.</strong></p>" if expired else ""
    content = (
        "<dl>"
        f"<dt>Đơn vị nhận tiền</dt><dd>{html.escape(MERCHANT_NAME)}</dd>"
        f"<dt>Mã giao dịch</dt><dd>{html.escape(row['reference'])}</dd>"
        f"<dt>Nội dung</dt><dd>{html.escape(row['order_info'])}</dd>"
        f"<dt>Số tiền</dt><dd><strong>{_money(row['amount_vnd'])}</strong></dd>"
        f"<dt>Hạn thanh toán</dt><dd>{expire.strftime('%H:%M:%S %d/%m/%Y') if expire else ''}</dd>"
        f"</dl>{notice}"
        f'<form method="post" action="{html.escape(action)}">'
        f'<input type="hidden" name="token" value="{html.escape(row["token"])}">'
        '<button name="action" value="pay">Thanh toán</button>'
        '<button name="action" value="fail">Giao dịch thất bại</button>'
        '<button name="action" value="cancel">Hủy giao dịch</button>'
        "</form>"
    )
    return _html_out(start_response, _page("Thanh toán trực tuyến", content))


# --- Storage ------------------------------------------------------------------------------------


def _find(gateway: str, merchant: str, reference: str) -> sqlite3.Row | None:
    with _lock, _db() as conn:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM bank_txn WHERE gateway = ? AND merchant = ? AND reference = ?",
            (gateway, merchant, reference),
        ).fetchone()
    return row


def _by_token(token: str) -> sqlite3.Row | None:
    with _lock, _db() as conn:
        row: sqlite3.Row | None = conn.execute("SELECT * FROM bank_txn WHERE token = ?", (token,)).fetchone()
    return row


def _open(gateway: str, merchant: str, reference: str, amount: int, **fields: str) -> sqlite3.Row | str:
    """The pending transaction of an order (the same one if the payer comes back); an error text if the
    reference was already used for a finished payment or another amount."""
    existing = _find(gateway, merchant, reference)
    if existing is not None:
        if existing["status"] != "pending":
            return "Mã giao dịch đã tồn tại (đã được thanh toán hoặc đã kết thúc)."
        if existing["amount_vnd"] != amount:
            return "Mã giao dịch đã tồn tại với số tiền khác."
        return existing
    with _lock, _db() as conn:
        conn.execute(
            "INSERT INTO bank_txn (token, gateway, merchant, reference, amount_vnd, order_info, create_date, "
            "expire_date, return_url, extra, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
            (
                uuid.uuid4().hex,
                gateway,
                merchant,
                reference,
                amount,
                fields["order_info"],
                fields["create_date"],
                fields["expire_date"],
                fields["return_url"],
                fields.get("extra", "{}"),
            ),
        )
    row = _find(gateway, merchant, reference)
    assert row is not None
    return row


def _finish(row: sqlite3.Row, button: str) -> sqlite3.Row | None:
    """End a pending transaction as the button says; None if another request ended it first."""
    expire = _parse_wire(row["expire_date"])
    code, status = EXPIRED if expire is not None and _vn_now() > expire else OUTCOMES[button]
    final = "paid" if code == "00" else ("expired" if code == "11" else "failed")
    with _lock, _db() as conn:
        number = conn.execute("SELECT COUNT(*) FROM bank_txn WHERE transaction_no != ''").fetchone()[0]
        updated = conn.execute(
            "UPDATE bank_txn SET status = ?, response_code = ?, transaction_status = ?, pay_date = ?, "
            "transaction_no = ? WHERE id = ? AND status = 'pending'",
            (
                final,
                code,
                status,
                _wire(_vn_now()),
                f"{14000000 + number + 1}" if code == "00" else "",
                row["id"],
            ),
        ).rowcount
    if not updated:
        return None
    finished = _by_token(row["token"])
    assert finished is not None
    return finished


def _save_result(row: sqlite3.Row, result: dict[str, str]) -> None:
    with _lock, _db() as conn:
        conn.execute("UPDATE bank_txn SET result = ? WHERE id = ?", (json.dumps(result), row["id"]))


def _log_ipn(gateway: str, reference: str, url: str, http_status: int, answer: str) -> None:
    with _lock, _db() as conn:
        conn.execute(
            "INSERT INTO bank_ipn (gateway, reference, sent_at, url, http_status, answer) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (gateway, reference, datetime.now(VN_TZ).isoformat(timespec="seconds"), url, http_status, answer),
        )


def _ipn_url(gateway: str, merchant: str) -> str:
    """The merchant's notification URL: as registered through ``/_standin/bank/merchant``, else the
    ``STANDINS_*`` setting."""
    with _lock, _db() as conn:
        row = conn.execute(
            "SELECT ipn_url FROM bank_merchant WHERE gateway = ? AND merchant = ?", (gateway, merchant)
        ).fetchone()
    if row is not None:
        return str(row["ipn_url"])
    registry = VNPAY_MERCHANTS if gateway == "vnpay" else DVCQG_PARTNERS
    return registry[merchant]["ipn_url"]


def merchant_register(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """Sandbox only: change a merchant's notification URL (the registry form of a real gateway)."""
    form = _form(environ)
    gateway, url = form.get("gateway", ""), form.get("ipn_url", "")
    registry = VNPAY_MERCHANTS if gateway == "vnpay" else DVCQG_PARTNERS if gateway == "dvcqg" else {}
    merchant = form.get("merchant") or next(iter(registry), "")
    if merchant not in registry or not url.startswith(("http://", "https://")):
        return _json_out(start_response, {"error": "unknown merchant or bad URL"}, "400 Bad Request")
    with _lock, _db() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO bank_merchant (gateway, merchant, ipn_url) VALUES (?, ?, ?)",
            (gateway, merchant, url),
        )
    return _json_out(start_response, {"gateway": gateway, "merchant": merchant, "ipn_url": url})


# --- Notification to the merchant, retried as the gateways do ------------------------------------


def _deliver_once(gateway: str, reference: str, url: str, result: dict[str, str]) -> bool:
    """One notification attempt; True when the merchant answered definitely (stop retrying)."""
    if gateway == "vnpay":
        request = urllib.request.Request(
            f"{url}{'&' if '?' in url else '?'}{urlencode(result)}", method="GET"
        )
        code_key = "RspCode"
    else:
        request = urllib.request.Request(
            url,
            data=json.dumps(result, ensure_ascii=False).encode(),
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        code_key = "MaLoi"
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        _log_ipn(gateway, reference, url, 0, str(exc))
        return False
    _log_ipn(gateway, reference, url, status, body)
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    # Every protocol answer but "99 unknown error" is final; no answer or a 99 is tried again.
    return (
        status == 200 and isinstance(answer, dict) and answer.get(code_key) in ("00", "01", "02", "04", "97")
    )


def _notify(gateway: str, reference: str, url: str, result: dict[str, str]) -> None:
    if _deliver_once(gateway, reference, url, result):
        return

    def retry() -> None:
        for _attempt in range(IPN_RETRIES):
            time.sleep(IPN_RETRY_SECONDS)
            if _deliver_once(gateway, reference, url, result):
                return

    threading.Thread(target=retry, daemon=True).start()


def _redirect(start_response: StartResponse, url: str) -> list[bytes]:
    start_response("302 Found", [("Location", url), ("Content-Length", "0")])
    return [b""]


# --- VNPay: payment page ------------------------------------------------------------------------


def vnpay_payment_page(environ: Environ, start_response: StartResponse) -> list[bytes]:
    params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    merchant = VNPAY_MERCHANTS.get(params.get("vnp_TmnCode", ""))
    if merchant is None:
        return _error_page(
            start_response, "Website này chưa được phê duyệt (vnp_TmnCode không tồn tại).", "02"
        )
    if not hmac.compare_digest(
        params.get("vnp_SecureHash", "").lower(), vnpay_sign(merchant["secret"], params)
    ):
        return _error_page(start_response, "Sai chữ ký (vnp_SecureHash không hợp lệ).", "97")
    amount = params.get("vnp_Amount", "")
    required = ("vnp_Version", "vnp_Command", "vnp_TxnRef", "vnp_OrderInfo", "vnp_ReturnUrl", "vnp_IpAddr")
    if (
        not amount.isdigit()
        or int(amount) % 100
        or int(amount) <= 0
        or params.get("vnp_Command") != "pay"
        or params.get("vnp_CurrCode") != "VND"
        or not _REFERENCE.fullmatch(params.get("vnp_TxnRef", ""))
        or any(not params.get(name) for name in required)
        or _parse_wire(params.get("vnp_CreateDate", "")) is None
        or _parse_wire(params.get("vnp_ExpireDate", "")) is None
    ):
        return _error_page(start_response, "Dữ liệu gửi sang không đúng định dạng.", "03")
    row = _open(
        "vnpay",
        params["vnp_TmnCode"],
        params["vnp_TxnRef"],
        int(amount) // 100,
        order_info=params["vnp_OrderInfo"],
        create_date=params["vnp_CreateDate"],
        expire_date=params["vnp_ExpireDate"],
        return_url=params["vnp_ReturnUrl"],
    )
    if isinstance(row, str):
        return _error_page(start_response, row, "94")
    return _payment_page(start_response, row, "/vnpay/paymentv2/pay")


def _vnpay_result(row: sqlite3.Row) -> dict[str, str]:
    paid = row["response_code"] == "00"
    result = {
        "vnp_Amount": str(row["amount_vnd"] * 100),
        "vnp_BankCode": "NCB" if paid else "VNPAY",
        "vnp_OrderInfo": row["order_info"],
        "vnp_PayDate": row["pay_date"],
        "vnp_ResponseCode": row["response_code"],
        "vnp_TmnCode": row["merchant"],
        "vnp_TransactionNo": row["transaction_no"] or "0",
        "vnp_TransactionStatus": row["transaction_status"],
        "vnp_TxnRef": row["reference"],
    }
    if paid:
        result["vnp_BankTranNo"] = f"VNP{row['transaction_no']}"
        result["vnp_CardType"] = "ATM"
    result["vnp_SecureHash"] = vnpay_sign(VNPAY_MERCHANTS[row["merchant"]]["secret"], result)
    return result


def _form(environ: Environ) -> dict[str, str]:
    return dict(parse_qsl(_read_body(environ).decode("utf-8", "replace"), keep_blank_values=True))


def _pay(environ: Environ, start_response: StartResponse, gateway: str) -> list[bytes]:
    """A button of the payment page: finish the transaction, notify the merchant, send the browser back."""
    form = _form(environ)
    row = _by_token(form.get("token", ""))
    if row is None or row["gateway"] != gateway or form.get("action") not in OUTCOMES:
        return _error_page(start_response, "Không tìm thấy giao dịch.", "91")
    if row["status"] != "pending":
        return _error_page(start_response, "Giao dịch đã kết thúc.", "02")
    finished = _finish(row, form["action"])
    if finished is None:
        return _error_page(start_response, "Giao dịch đã kết thúc.", "02")
    row = finished
    result = _vnpay_result(row) if gateway == "vnpay" else _dvcqg_result(row)
    _save_result(row, result)
    _notify(gateway, row["reference"], _ipn_url(gateway, row["merchant"]), result)
    url = row["return_url"]
    return _redirect(start_response, f"{url}{'&' if '?' in url else '?'}{urlencode(result)}")


def vnpay_pay(environ: Environ, start_response: StartResponse) -> list[bytes]:
    return _pay(environ, start_response, "vnpay")


def vnpay_replay(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """Sandbox only: send the last notification of an order again, once, synchronously."""
    form = _form(environ)
    gateway = form.get("gateway", "vnpay")
    with _lock, _db() as conn:
        row = conn.execute(
            "SELECT * FROM bank_txn WHERE gateway = ? AND reference = ? AND status != 'pending'",
            (gateway, form.get("reference", "")),
        ).fetchone()
    if row is None:
        return _json_out(start_response, {"error": "not found"}, "404 Not Found")
    url = _ipn_url(gateway, row["merchant"])
    delivered = _deliver_once(gateway, row["reference"], url, json.loads(row["result"]))
    return _json_out(start_response, {"delivered": delivered})


# --- VNPay: merchant_webapi ---------------------------------------------------------------------


def _api_answer(
    request: Mapping[str, Any], secret: str | None, fields: tuple[str, ...], **values: str
) -> dict[str, str]:
    answer = {
        "vnp_ResponseId": uuid.uuid4().hex,
        "vnp_Command": str(request.get("vnp_Command", "")),
        "vnp_TmnCode": str(request.get("vnp_TmnCode", "")),
        "vnp_TxnRef": str(request.get("vnp_TxnRef", "")),
        **values,
    }
    if secret is not None:
        answer["vnp_SecureHash"] = _hmac(secret, _pipe(answer, fields))
    return answer


_API_MESSAGES = {
    "00": "Request success",
    "02": "Merchant is not valid",
    "03": "Data format invalid",
    "91": "Transaction not found",
    "94": "Duplicate request",
    "95": "Transaction is not successful at VNPAY",
    "97": "Invalid checksum",
    "99": "Unknown error",
}


def vnpay_api(environ: Environ, start_response: StartResponse) -> list[bytes]:
    try:
        request = json.loads(_read_body(environ) or b"null")
    except ValueError:
        request = None
    if not isinstance(request, dict):
        return _json_out(start_response, {"vnp_ResponseCode": "03", "vnp_Message": _API_MESSAGES["03"]})
    command = request.get("vnp_Command")
    fields, answer_fields = (
        (VNPAY_QUERY_FIELDS, VNPAY_QUERY_ANSWER_FIELDS)
        if command == "querydr"
        else (VNPAY_REFUND_FIELDS, VNPAY_REFUND_ANSWER_FIELDS)
    )

    def fail(code: str, secret: str | None) -> list[bytes]:
        return _json_out(
            start_response,
            _api_answer(
                request, secret, answer_fields, vnp_ResponseCode=code, vnp_Message=_API_MESSAGES[code]
            ),
        )

    merchant = VNPAY_MERCHANTS.get(str(request.get("vnp_TmnCode", "")))
    if merchant is None:
        return fail("02", None)
    secret = merchant["secret"]
    if command not in ("querydr", "refund"):
        return fail("03", secret)
    if not hmac.compare_digest(
        str(request.get("vnp_SecureHash", "")).lower(), _hmac(secret, _pipe(request, fields))
    ):
        return fail("97", secret)
    request_id = str(request.get("vnp_RequestId", ""))
    if not request_id or _parse_wire(str(request.get("vnp_CreateDate", ""))) is None:
        return fail("03", secret)
    try:
        with _lock, _db() as conn:
            conn.execute("INSERT INTO bank_request (request_id) VALUES (?)", (request_id,))
    except sqlite3.IntegrityError:
        return fail("94", secret)
    row = _find("vnpay", str(request["vnp_TmnCode"]), str(request.get("vnp_TxnRef", "")))
    if row is None or row["create_date"] != request.get("vnp_TransactionDate"):
        return fail("91", secret)
    if command == "refund":
        return _vnpay_refund(start_response, request, row, secret, fail)
    return _json_out(
        start_response,
        _api_answer(
            request,
            secret,
            answer_fields,
            vnp_ResponseCode="00",
            vnp_Message=_API_MESSAGES["00"],
            vnp_Amount=str(row["amount_vnd"] * 100),
            vnp_BankCode="NCB" if row["response_code"] == "00" else "",
            vnp_PayDate=row["pay_date"],
            vnp_TransactionNo=row["transaction_no"],
            vnp_TransactionType="01",
            vnp_TransactionStatus=row["transaction_status"],
            vnp_OrderInfo=row["order_info"],
            vnp_PromotionCode="",
            vnp_PromotionAmount="",
        ),
    )


def _vnpay_refund(
    start_response: StartResponse,
    request: dict[str, Any],
    row: sqlite3.Row,
    secret: str,
    fail: Callable[[str, str | None], list[bytes]],
) -> list[bytes]:
    amount = str(request.get("vnp_Amount", ""))
    kind = request.get("vnp_TransactionType")
    if not amount.isdigit() or int(amount) % 100 or int(amount) <= 0 or kind not in ("02", "03"):
        return fail("03", secret)
    refund = int(amount) // 100
    left = row["amount_vnd"] - row["refunded_vnd"]
    if (
        row["status"] not in ("paid", "refunded")
        or refund > left
        or (kind == "02" and refund != row["amount_vnd"])
    ):
        return fail("95", secret)
    with _lock, _db() as conn:
        conn.execute(
            "UPDATE bank_txn SET refunded_vnd = refunded_vnd + ?, status = ? WHERE id = ?",
            (refund, "refunded" if refund == left else "paid", row["id"]),
        )
    return _json_out(
        start_response,
        _api_answer(
            request,
            secret,
            VNPAY_REFUND_ANSWER_FIELDS,
            vnp_ResponseCode="00",
            vnp_Message=_API_MESSAGES["00"],
            vnp_Amount=amount,
            vnp_BankCode="NCB",
            vnp_PayDate=_wire(_vn_now()),
            vnp_TransactionNo=row["transaction_no"],
            vnp_TransactionType=str(kind),
            vnp_TransactionStatus="05",
            vnp_OrderInfo=str(request.get("vnp_OrderInfo", "")),
        ),
    )


# --- DVCQG payment platform ---------------------------------------------------------------------


def _dvcqg_result(row: sqlite3.Row) -> dict[str, str]:
    extra = json.loads(row["extra"])
    result = {
        "MaDoiTac": row["merchant"],
        "MaGiaoDich": row["reference"],
        "MaThanhToan": extra["MaThanhToan"],
        "MaHoSo": extra.get("MaHoSo", ""),
        "SoTien": str(row["amount_vnd"]),
        "TrangThai": row["transaction_status"],
        "MaLoi": row["response_code"],
        "NganHang": "NCB" if row["response_code"] == "00" else "",
        "ThoiGianThanhToan": row["pay_date"] if row["status"] != "pending" else "",
    }
    result["Checksum"] = _hmac(
        DVCQG_PARTNERS[row["merchant"]]["secret"], _pipe(result, DVCQG_RESULT_FIELDS), hashlib.sha256
    )
    return result


def dvcqg_api(environ: Environ, start_response: StartResponse) -> list[bytes]:
    try:
        request = json.loads(_read_body(environ) or b"null")
    except ValueError:
        request = None
    if not isinstance(request, dict):
        return _json_out(start_response, {"MaKetQua": "03", "MoTa": "Dữ liệu không đúng định dạng"})
    partner = DVCQG_PARTNERS.get(str(request.get("MaDoiTac", "")))
    if partner is None:
        return _json_out(start_response, {"MaKetQua": "01", "MoTa": "Mã đối tác không hợp lệ"})
    secret = partner["secret"]
    service = request.get("service")
    fields = DVCQG_CREATE_FIELDS if service == "TaoGiaoDichThanhToan" else DVCQG_QUERY_FIELDS
    if service not in ("TaoGiaoDichThanhToan", "TraCuuGiaoDich"):
        return _json_out(start_response, {"MaKetQua": "03", "MoTa": "Dịch vụ không tồn tại"})
    if not hmac.compare_digest(
        str(request.get("Checksum", "")).lower(), _hmac(secret, _pipe(request, fields), hashlib.sha256)
    ):
        return _json_out(start_response, {"MaKetQua": "97", "MoTa": "Chữ ký không hợp lệ"})
    if service == "TraCuuGiaoDich":
        row = _find("dvcqg", str(request["MaDoiTac"]), str(request.get("MaGiaoDich", "")))
        answer: dict[str, str]
        if row is None:
            answer = {
                "MaKetQua": "91",
                "MoTa": "Không tìm thấy giao dịch",
                "MaDoiTac": str(request["MaDoiTac"]),
                "MaGiaoDich": str(request.get("MaGiaoDich", "")),
            }
        else:
            answer = {"MaKetQua": "00", "MoTa": "Thành công", **_dvcqg_result(row)}
        answer["Checksum"] = _hmac(secret, _pipe(answer, ("MaKetQua", *DVCQG_RESULT_FIELDS)), hashlib.sha256)
        return _json_out(start_response, answer)
    return _dvcqg_create(environ, start_response, request, secret)


def _dvcqg_create(
    environ: Environ, start_response: StartResponse, request: dict[str, Any], secret: str
) -> list[bytes]:
    lines = request.get("PhiLePhi")
    amount = request.get("SoTien")
    valid = (
        isinstance(amount, int)
        and amount > 0
        and isinstance(lines, list)
        and all(
            isinstance(line, dict) and isinstance(line.get("SoTien"), int) and line.get("MaPhiLePhi")
            for line in lines
        )
        and (not lines or sum(line["SoTien"] for line in lines) == amount)
        and _REFERENCE.fullmatch(str(request.get("MaGiaoDich", "")))
        and str(request.get("UrlTraVe", "")).startswith(("http://", "https://"))
        and request.get("MaHoSo")
        and _parse_wire(str(request.get("ThoiGianHetHan", ""))) is not None
    )
    if not valid:
        return _json_out(start_response, {"MaKetQua": "03", "MoTa": "Dữ liệu không đúng định dạng"})
    assert isinstance(amount, int)
    payment_id = f"TT{_wire(_vn_now())}{uuid.uuid4().hex[:6].upper()}"
    row = _open(
        "dvcqg",
        str(request["MaDoiTac"]),
        str(request["MaGiaoDich"]),
        amount,
        order_info=str(request.get("NoiDungThanhToan") or request["MaHoSo"]),
        create_date=str(request.get("ThoiGianTao", "")),
        expire_date=str(request["ThoiGianHetHan"]),
        return_url=str(request["UrlTraVe"]),
        extra=json.dumps({"MaThanhToan": payment_id, "MaHoSo": request["MaHoSo"], "PhiLePhi": lines}),
    )
    if isinstance(row, str):
        return _json_out(start_response, {"MaKetQua": "03", "MoTa": row})
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    answer = {
        "MaKetQua": "00",
        "MoTa": "Thành công",
        "MaGiaoDich": row["reference"],
        "MaThanhToan": json.loads(row["extra"])["MaThanhToan"],
        "UrlThanhToan": f"http://{host}/dvcqg-payment/thanh-toan?ma={row['token']}",
    }
    answer["Checksum"] = _hmac(secret, _pipe(answer, DVCQG_CREATE_ANSWER_FIELDS), hashlib.sha256)
    return _json_out(start_response, answer)


def dvcqg_payment_page(environ: Environ, start_response: StartResponse) -> list[bytes]:
    token = dict(parse_qsl(environ.get("QUERY_STRING", ""))).get("ma", "")
    row = _by_token(token)
    if row is None or row["gateway"] != "dvcqg":
        return _error_page(start_response, "Không tìm thấy giao dịch.", "91")
    if row["status"] != "pending":
        return _error_page(start_response, "Giao dịch đã kết thúc.", "02")
    return _payment_page(start_response, row, "/dvcqg-payment/thanh-toan")


def dvcqg_pay(environ: Environ, start_response: StartResponse) -> list[bytes]:
    return _pay(environ, start_response, "dvcqg")


_STATUS_LABELS = {
    "pending": "Chờ thanh toán",
    "paid": "Đã thanh toán",
    "failed": "Thất bại / đã hủy",
    "expired": "Hết hạn",
    "refunded": "Đã hoàn tiền",
}


def transactions_table() -> str:
    """The sandbox bank's latest transactions, for the stand-ins' demo page."""
    with _lock, _db() as conn:
        rows = conn.execute("SELECT * FROM bank_txn ORDER BY id DESC LIMIT 100").fetchall()
    cells = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(value))}</td>"
            for value in (
                "VNPAY" if row["gateway"] == "vnpay" else "DVCQG",
                row["reference"],
                _money(row["amount_vnd"]),
                _STATUS_LABELS.get(row["status"], row["status"]),
                row["response_code"],
                row["transaction_no"],
            )
        )
        + "</tr>"
        for row in rows
    )
    return (
        "<h2>Ngân hàng thử nghiệm (thanh toán trực tuyến)</h2>"
        "<p>Không có tiền thật. Chi tiết, kể cả các lần gửi IPN: <code>/_standin/bank.json</code>.</p>"
        "<table><thead><tr><th scope='col'>Cổng</th><th scope='col'>Mã giao dịch</th>"
        "<th scope='col'>Số tiền</th><th scope='col'>Trạng thái</th><th scope='col'>Mã kết quả</th>"
        f"<th scope='col'>Số giao dịch ngân hàng</th></tr></thead><tbody>{cells}</tbody></table>"
    )


def bank_json(environ: Environ, start_response: StartResponse) -> list[bytes]:
    with _lock, _db() as conn:
        txns = [dict(r) for r in conn.execute("SELECT * FROM bank_txn ORDER BY id DESC LIMIT 500")]
        ipns = [dict(r) for r in conn.execute("SELECT * FROM bank_ipn ORDER BY id DESC LIMIT 500")]
    return _json_out(start_response, {"transactions": txns, "notifications": ipns})


ROUTES: dict[tuple[str, str], Callable[[Environ, StartResponse], list[bytes]]] = {
    ("GET", "/vnpay/paymentv2/vpcpay.html"): vnpay_payment_page,
    ("POST", "/vnpay/paymentv2/pay"): vnpay_pay,
    ("POST", "/vnpay/merchant_webapi/api/transaction"): vnpay_api,
    ("POST", "/vnpay/_test/replay"): vnpay_replay,
    ("POST", "/dvcqg-payment/api/thanh-toan"): dvcqg_api,
    ("GET", "/dvcqg-payment/thanh-toan"): dvcqg_payment_page,
    ("POST", "/dvcqg-payment/thanh-toan"): dvcqg_pay,
    ("GET", "/_standin/bank.json"): bank_json,
    ("POST", "/_standin/bank/merchant"): merchant_register,
}
