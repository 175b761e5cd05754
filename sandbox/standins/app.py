"""Local stand-ins for the outside services motcua calls — dịch vụ giả lập cục bộ.

One small WSGI application (served by gunicorn: ``make run`` starts it on port 8020; the tests start
their own on a free port) that speaks, under its own path prefix, the protocol of each outside system
we cannot reach from a developer's machine or CI:

``/dancu/``  the national population database (CSDL quốc gia về dân cư) as shared through the data
             sharing platform (NDXP/LGSP): ``POST /dancu/api/v1/cong-dan/tra-cuu`` with the headers
             ``X-Client-Id`` / ``X-Client-Secret`` and ``{"maYeuCau", "soDinhDanh", "mucDich",
             "nguoiYeuCau"}``; the answer is an envelope ``{"maKetQua", "moTa", "maYeuCau", "duLieu"}``
             (``00`` found, ``01`` no such person, ``02`` bad request, ``97`` unknown client, ``99``
             error). The people are ``data/demo/citizens.json``.
``/esms/``   the eSMS.vn brandname SMS API:
             ``POST /esms/MainService.svc/json/SendMultipleMessage_V4_post_json/`` with ``ApiKey``,
             ``SecretKey``, ``Phone``, ``Content``, ``Brandname``, ``SmsType``
             (2: customer care), ``IsUnicode``, ``Sandbox``, ``RequestId``; answers ``{"CodeResult",
             "SMSID", "ErrorMessage"}`` (``100`` accepted, ``101`` wrong keys, ``104`` brandname not
             registered, ``118`` bad SmsType, ``99`` other). A ``RequestId`` already accepted in the last
             24 hours is not sent again (eSMS: "block duplicates"): the first ``SMSID`` comes back.
``/zalo/``   Zalo Official Account ZNS: ``POST /zalo/message/template`` with the ``access_token`` header
             and ``{"phone": "84…", "template_id", "template_data", "tracking_id"}``; answers
             ``{"error": 0, "message": "Success", "data": {"msg_id", "sent_time", "quota"}}`` or an
             error (``-124`` access token invalid, ``-108`` phone invalid, ``-109`` template id
             invalid, ``-112`` template data invalid, ``-118`` Zalo account not existed).
``/v1/``     an OpenAI-compatible chat model (the assistant's optional rephrasing):
             ``POST /v1/chat/completions`` with ``Authorization: Bearer <key>`` and ``{"model",
             "messages": [{"role", "content"}]}``; answers a ``chat.completion`` whose message is the
             last user message prefixed with "Dạ, " (a polite rewording that keeps every fact). Models
             ``standin-drop-numbers`` (loses the numbers: a model that changes facts) and ``standin-slow``
             (answers after 5 s: a timeout) exercise the assistant's fallbacks; errors in OpenAI's
             shape ``{"error": {"message", "type", "code"}}`` (401 wrong key, 400 bad request).

``/vnpay/``, ``/dvcqg-payment/``  the sandbox bank of the payment gateways (``bank.py``: VNPay's
             payment page and merchant_webapi, the national portal's payment platform).

Everything received is kept in a SQLite file (``STANDINS_DB``, default ``var/standins.sqlite3``) and
listed on ``/`` (a demo page) and ``/_standin/messages.json`` (what the tests read). Credentials are
settings of the stand-in too (``STANDINS_*``), with the development defaults motcua's settings use.
"""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bank

REPO = Path(__file__).resolve().parents[2]
DB_PATH = Path(os.environ.get("STANDINS_DB", str(REPO / "var" / "standins.sqlite3")))
CITIZENS_PATH = Path(os.environ.get("STANDINS_CITIZENS", str(REPO / "data" / "demo" / "citizens.json")))

POPULATION_CLIENT_ID = os.environ.get("STANDINS_POPULATION_CLIENT_ID", "motcua-dev")
POPULATION_CLIENT_SECRET = os.environ.get("STANDINS_POPULATION_CLIENT_SECRET", "motcua-dev-secret")
ESMS_API_KEY = os.environ.get("STANDINS_ESMS_API_KEY", "motcua-dev-key")
ESMS_SECRET_KEY = os.environ.get("STANDINS_ESMS_SECRET_KEY", "motcua-dev-secret")
ESMS_BRANDNAMES = frozenset(os.environ.get("STANDINS_ESMS_BRANDNAMES", "QUANGNINH").split(","))
ZALO_ACCESS_TOKEN = os.environ.get("STANDINS_ZALO_ACCESS_TOKEN", "motcua-dev-zalo-token")
ZALO_TEMPLATES = frozenset(os.environ.get("STANDINS_ZALO_TEMPLATES", "300001").split(","))
LLM_API_KEY = os.environ.get("STANDINS_LLM_API_KEY", "motcua-dev-llm-key")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Environ = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service TEXT NOT NULL,
    received_at TEXT NOT NULL,
    recipient TEXT NOT NULL,
    content TEXT NOT NULL,
    dedup_key TEXT,
    provider_id TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS received_dedup ON received (service, dedup_key);
"""
_lock = threading.Lock()


def _db() -> sqlite3.Connection:
    DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(DB_PATH, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.executescript(_SCHEMA)
    return conn


def _now() -> datetime:
    return datetime.now(UTC)


def _record(
    *, service: str, recipient: str, content: Any, dedup_key: str | None, provider_id: str, result: str
) -> None:
    with _lock, _db() as conn:
        conn.execute(
            "INSERT INTO received (service, received_at, recipient, content, dedup_key, provider_id, result) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                service,
                _now().isoformat(timespec="seconds"),
                recipient,
                json.dumps(content, ensure_ascii=False),
                dedup_key,
                provider_id,
                result,
            ),
        )


def _earlier(service: str, dedup_key: str, since: datetime) -> str | None:
    with _lock, _db() as conn:
        row = conn.execute(
            "SELECT provider_id FROM received WHERE service = ? AND dedup_key = ? AND received_at >= ? "
            "AND result = 'accepted' ORDER BY id LIMIT 1",
            (service, dedup_key, since.isoformat(timespec="seconds")),
        ).fetchone()
    return None if row is None else str(row["provider_id"])


def _json(start_response: StartResponse, body: Any, status: str = "200 OK") -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(
        status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


def _read_json(environ: Environ) -> dict[str, Any] | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        value = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


# --- Population database -------------------------------------------------------------------------


def _people() -> dict[str, dict[str, Any]]:
    data = json.loads(CITIZENS_PATH.read_text(encoding="utf-8"))
    return {person["personal_id"]: person for person in data.get("citizens", [])}


def _person_out(person: dict[str, Any], people: dict[str, dict[str, Any]]) -> dict[str, Any]:
    household = person.get("household_id") or ""
    members = [p for p in people.values() if household and p.get("household_id") == household]
    head = next((p for p in members if p.get("household_head")), None)
    return {
        "soDinhDanh": person["personal_id"],
        "hoVaTen": person["full_name"],
        "ngaySinh": person["birth_date"],
        "gioiTinh": person["gender"],
        "noiThuongTru": person["permanent_address"],
        "hoGiaDinh": {
            "soHoKhau": household,
            "chuHo": head["full_name"] if head else "",
            "thanhVien": [
                {
                    "soDinhDanh": m["personal_id"],
                    "hoVaTen": m["full_name"],
                    "quanHeVoiChuHo": m["relation_to_head"],
                }
                for m in members
            ],
        },
    }


def population_lookup(environ: Environ, start_response: StartResponse) -> list[bytes]:
    body = _read_json(environ) or {}
    request_id = str(body.get("maYeuCau") or "")
    if (
        environ.get("HTTP_X_CLIENT_ID") != POPULATION_CLIENT_ID
        or environ.get("HTTP_X_CLIENT_SECRET") != POPULATION_CLIENT_SECRET
    ):
        return _json(
            start_response,
            {
                "maKetQua": "97",
                "moTa": "Ứng dụng chưa được cấp quyền khai thác",
                "maYeuCau": request_id,
                "duLieu": None,
            },
            "401 Unauthorized",
        )
    personal_id = str(body.get("soDinhDanh") or "")
    if not request_id or not body.get("mucDich") or len(personal_id) != 12 or not personal_id.isdigit():
        return _json(
            start_response,
            {"maKetQua": "02", "moTa": "Yêu cầu không hợp lệ", "maYeuCau": request_id, "duLieu": None},
            "400 Bad Request",
        )
    people = _people()
    person = people.get(personal_id)
    _record(
        service="population",
        recipient=personal_id,
        content={"mucDich": body.get("mucDich"), "nguoiYeuCau": body.get("nguoiYeuCau")},
        dedup_key=request_id,
        provider_id=request_id,
        result="found" if person else "not_found",
    )
    if person is None:
        return _json(
            start_response,
            {"maKetQua": "01", "moTa": "Không tìm thấy công dân", "maYeuCau": request_id, "duLieu": None},
        )
    return _json(
        start_response,
        {
            "maKetQua": "00",
            "moTa": "Thành công",
            "maYeuCau": request_id,
            "duLieu": _person_out(person, people),
        },
    )


# --- eSMS brandname ------------------------------------------------------------------------------


def esms_send(environ: Environ, start_response: StartResponse) -> list[bytes]:
    body = _read_json(environ)
    if body is None:
        return _json(start_response, {"CodeResult": "99", "ErrorMessage": "Invalid JSON"})
    if body.get("ApiKey") != ESMS_API_KEY or body.get("SecretKey") != ESMS_SECRET_KEY:
        return _json(start_response, {"CodeResult": "101", "ErrorMessage": "Authorize Failed"})
    if str(body.get("SmsType")) != "2":
        return _json(start_response, {"CodeResult": "118", "ErrorMessage": "Loại tin nhắn không hợp lệ"})
    if body.get("Brandname") not in ESMS_BRANDNAMES:
        return _json(start_response, {"CodeResult": "104", "ErrorMessage": "Brandname chưa được đăng ký"})
    phone, content = str(body.get("Phone") or ""), str(body.get("Content") or "")
    if not phone.isdigit() or not 9 <= len(phone) <= 12 or not content:
        return _json(start_response, {"CodeResult": "99", "ErrorMessage": "Phone or Content invalid"})
    request_id = str(body.get("RequestId") or "") or None
    if request_id:
        earlier = _earlier("sms", request_id, _now() - timedelta(hours=24))
        if earlier is not None:
            return _json(start_response, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": earlier})
    sms_id = uuid.uuid4().hex
    _record(
        service="sms",
        recipient=phone,
        content={"Content": content, "Brandname": body.get("Brandname"), "Sandbox": body.get("Sandbox")},
        dedup_key=request_id,
        provider_id=sms_id,
        result="accepted",
    )
    return _json(start_response, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": sms_id})


# --- Zalo ZNS ------------------------------------------------------------------------------------


def _zalo_error(start_response: StartResponse, code: int, message: str) -> list[bytes]:
    return _json(start_response, {"error": code, "message": message})


def zalo_template(environ: Environ, start_response: StartResponse) -> list[bytes]:
    if environ.get("HTTP_ACCESS_TOKEN") != ZALO_ACCESS_TOKEN:
        return _zalo_error(start_response, -124, "Access token is invalid")
    body = _read_json(environ)
    if body is None:
        return _zalo_error(start_response, -100, "Unknown error")
    phone = str(body.get("phone") or "")
    if not (phone.startswith("84") and phone.isdigit() and 10 <= len(phone) <= 12):
        return _zalo_error(start_response, -108, "Phone number invalid")
    if str(body.get("template_id") or "") not in ZALO_TEMPLATES:
        return _zalo_error(start_response, -109, "Template ID invalid")
    data = body.get("template_data")
    if (
        not isinstance(data, dict)
        or not data
        or not all(isinstance(v, str | int | float) for v in data.values())
    ):
        return _zalo_error(start_response, -112, "Template data invalid")
    # Demo: numbers ending in 000 have no Zalo account.
    if phone.endswith("000"):
        return _zalo_error(start_response, -118, "Zalo account not existed")
    msg_id = uuid.uuid4().hex
    _record(
        service="zns",
        recipient=phone,
        content={"template_id": body.get("template_id"), "template_data": data},
        dedup_key=str(body.get("tracking_id") or "") or None,
        provider_id=msg_id,
        result="accepted",
    )
    sent = str(int(_now().timestamp() * 1000))
    return _json(
        start_response,
        {
            "error": 0,
            "message": "Success",
            "data": {
                "msg_id": msg_id,
                "sent_time": sent,
                "quota": {"dailyQuota": "500", "remainingQuota": "499"},
            },
        },
    )


# --- OpenAI-compatible chat model ----------------------------------------------------------------


def _llm_error(start_response: StartResponse, status: str, message: str, code: str) -> list[bytes]:
    return _json(
        start_response, {"error": {"message": message, "type": "invalid_request_error", "code": code}}, status
    )


def chat_completions(environ: Environ, start_response: StartResponse) -> list[bytes]:
    if environ.get("HTTP_AUTHORIZATION") != f"Bearer {LLM_API_KEY}":
        return _llm_error(
            start_response, "401 Unauthorized", "Incorrect API key provided.", "invalid_api_key"
        )
    body = _read_json(environ)
    messages = body.get("messages") if body else None
    if not isinstance(messages, list) or not messages:
        return _llm_error(start_response, "400 Bad Request", "'messages' is required.", "invalid_request")
    user = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    if not user or not isinstance(user[-1].get("content"), str):
        return _llm_error(start_response, "400 Bad Request", "A user message is required.", "invalid_request")
    model = str(body.get("model") or "") if body else ""
    text = user[-1]["content"]
    if model == "standin-slow":
        time.sleep(5)
    content = "Dạ, " + text
    if model == "standin-drop-numbers":
        content = re.sub(r"\d", "", content)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    _record(
        service="llm",
        recipient=model,
        content={"messages": messages, "answer": content},
        dedup_key=None,
        provider_id=completion_id,
        result="answered",
    )
    return _json(
        start_response,
        {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(_now().timestamp()),
            "model": model,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": {
                "prompt_tokens": len(text.split()),
                "completion_tokens": len(content.split()),
                "total_tokens": 0,
            },
        },
    )


# --- Demo page and test listing ------------------------------------------------------------------


def _rows() -> list[dict[str, Any]]:
    with _lock, _db() as conn:
        rows = conn.execute("SELECT * FROM received ORDER BY id DESC LIMIT 500").fetchall()
    return [{**dict(row), "content": json.loads(row["content"])} for row in rows]


def messages_json(environ: Environ, start_response: StartResponse) -> list[bytes]:
    return _json(start_response, {"received": _rows()})


_TITLES = {"sms": "SMS (eSMS)", "zns": "Zalo ZNS", "population": "Tra cứu CSDL dân cư"}


def demo_page(environ: Environ, start_response: StartResponse) -> list[bytes]:
    rows = _rows()
    parts = [
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Dịch vụ giả lập — motcua</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:1rem;color:#1a1a1a}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3rem;"
        "text-align:left;vertical-align:top;overflow-wrap:anywhere}</style></head><body><main>"
        "<h1>Dịch vụ giả lập (stand-ins)</h1>"
        "<p>CSDL dân cư <code>/dancu/</code>, SMS brandname eSMS <code>/esms/</code>, "
        "Zalo ZNS <code>/zalo/</code>. Những gì đã nhận, mới nhất trước:</p>"
        "<table><thead><tr><th scope='col'>Lúc</th><th scope='col'>Dịch vụ</th>"
        "<th scope='col'>Người nhận / số định danh</th><th scope='col'>Nội dung</th>"
        "<th scope='col'>Kết quả</th></tr></thead><tbody>"
    ]
    for row in rows:
        content = row["content"]
        shown = content.get("Content") if isinstance(content, dict) and "Content" in content else content
        parts.append(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(value))}</td>"
                for value in (
                    row["received_at"],
                    _TITLES.get(row["service"], row["service"]),
                    row["recipient"],
                    shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False),
                    row["result"],
                )
            )
            + "</tr>"
        )
    parts.append("</tbody></table>")
    parts.append(bank.transactions_table())
    parts.append("</main></body></html>")
    data = "".join(parts).encode()
    start_response(
        "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


# --- Time-stamp authority (RFC 3161) ----------------------------------------------------------------
# A real RFC 3161 responder over HTTP (``POST /tsa``, ``application/timestamp-query`` in,
# ``application/timestamp-reply`` out), signing with the TSA key of the development PKI (``motcua pki
# init`` writes var/pki/tsa.key|.crt; ``STANDINS_TSA_DIR`` points elsewhere). The only part of the
# stand-ins that needs more than the standard library: asn1crypto and cryptography (motcua's own
# dependencies, through pyHanko), imported when a time-stamp is asked for.

TSA_DIR = Path(os.environ.get("STANDINS_TSA_DIR", str(REPO / "var" / "pki")))
_TSA_POLICY = "1.3.6.1.4.1.99999.1.1"  # a private-arc policy id: development only


def _tsa_reply(body: bytes) -> bytes | None:
    """The DER TimeStampResp for a DER TimeStampReq; None when the TSA has no key."""
    import hashlib
    import secrets

    from asn1crypto import algos, cms, core, tsp, x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key_path, cert_path = TSA_DIR / "tsa.key", TSA_DIR / "tsa.crt"
    if not key_path.exists() or not cert_path.exists():
        return None
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    from cryptography import x509 as pyca_x509

    cert_pem = pyca_x509.load_pem_x509_certificate(cert_path.read_bytes())
    cert = x509.Certificate.load(cert_pem.public_bytes(serialization.Encoding.DER))
    chain = []
    ca_path = TSA_DIR / "ca.crt"
    if ca_path.exists():
        ca_pem = pyca_x509.load_pem_x509_certificate(ca_path.read_bytes())
        chain.append(x509.Certificate.load(ca_pem.public_bytes(serialization.Encoding.DER)))
    try:
        req = tsp.TimeStampReq.load(body)
        imprint = req["message_imprint"]
        _ = imprint["hash_algorithm"]["algorithm"].native
    except (ValueError, TypeError, KeyError):
        rejected = tsp.TimeStampResp(
            {
                "status": tsp.PKIStatusInfo(
                    {"status": "rejection", "fail_info": tsp.PKIFailureInfo({"bad_data_format"})}
                )
            }
        )
        return rejected.dump()
    now = datetime.now(UTC).replace(microsecond=0)
    info: dict[str, Any] = {
        "version": "v1",
        "policy": _TSA_POLICY,
        "message_imprint": imprint,
        "serial_number": secrets.randbits(64),
        "gen_time": now,
        "tsa": x509.GeneralName(name="directory_name", value=cert.subject),
    }
    if req["nonce"].native is not None:
        info["nonce"] = req["nonce"]
    tst_info = tsp.TSTInfo(info).dump()
    signed_attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
            cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": core.UTCTime(now)})]}),
            cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(tst_info).digest()]}),
            cms.CMSAttribute(
                {
                    "type": "signing_certificate_v2",
                    "values": [
                        tsp.SigningCertificateV2(
                            {"certs": [tsp.ESSCertIDv2({"cert_hash": hashlib.sha256(cert.dump()).digest()})]}
                        )
                    ],
                }
            ),
        ]
    )
    signature = key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": cert.issuer, "serial_number": cert.serial_number}
                    )
                }
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": signed_attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature,
        }
    )
    signed_data = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": cms.EncapsulatedContentInfo(
                {"content_type": "tst_info", "content": cms.ParsableOctetString(tst_info)}
            ),
            "certificates": [cert, *chain],
            "signer_infos": [signer_info],
        }
    )
    token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    reply = tsp.TimeStampResp({"status": tsp.PKIStatusInfo({"status": "granted"}), "time_stamp_token": token})
    _record(
        service="tsa",
        recipient="",
        content={"hash": imprint["hashed_message"].native.hex()},
        dedup_key=None,
        provider_id=str(info["serial_number"]),
        result="granted",
    )
    return reply.dump()


def tsa_stamp(environ: Environ, start_response: StartResponse) -> list[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(min(length, 64 * 1024)) if length else b""
    reply = _tsa_reply(body)
    if reply is None:
        return _json(
            start_response, {"error": "TSA key missing: run motcua pki init"}, "503 Service Unavailable"
        )
    start_response(
        "200 OK", [("Content-Type", "application/timestamp-reply"), ("Content-Length", str(len(reply)))]
    )
    return [reply]


ROUTES: dict[tuple[str, str], Callable[[Environ, StartResponse], list[bytes]]] = {
    ("POST", "/tsa"): tsa_stamp,
    ("POST", "/dancu/api/v1/cong-dan/tra-cuu"): population_lookup,
    ("POST", "/esms/MainService.svc/json/SendMultipleMessage_V4_post_json/"): esms_send,
    ("POST", "/zalo/message/template"): zalo_template,
    ("POST", "/v1/chat/completions"): chat_completions,
    ("GET", "/_standin/messages.json"): messages_json,
    ("GET", "/"): demo_page,
    **bank.ROUTES,
}


def application(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    """The WSGI entry point (``gunicorn app:application`` from this directory)."""
    handler = ROUTES.get((environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")))
    if handler is None:
        return _json(start_response, {"error": "not found"}, "404 Not Found")
    return handler(environ, start_response)
