"""``POST /api/v1/verify`` — xác thực văn bản điện tử: a PDF in (multipart), its signatures out (JSON).

Public like tracking, and rate-limited per client address (``MOTCUA_SIGNING_VERIFY_RATE_LIMIT``:
requests per minute, default 20): checking signatures costs CPU. A bad file is a 400 in the
``ErrorOut`` shape with a Vietnamese ``detail``, never a 500.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from motcua.core.api_errors import ErrorOut, error_body
from motcua.core.ratelimit import client_ip, rate_limit_hit
from motcua.signing.errors import VerificationRefused
from motcua.signing.reports import report_dict
from motcua.signing.verification import document_verify

router = Router(tags=["Xác thực văn bản điện tử"])


class SignatureOut(Schema):
    field: str
    signer: str
    organisation: str
    title: str
    certificate_serial: str
    signed_at: datetime | None
    timestamp_at: datetime | None
    timestamp_valid: bool | None
    intact: bool
    trusted: bool
    revoked: bool
    expired: bool
    chain: list[str]
    verdict: str
    message: str


class OnFileOut(Schema):
    dossier_code: str
    number: str
    signer: str
    unit: str
    signed_at: datetime | None
    sha256: str
    matches: bool


class VerifyOut(Schema):
    valid: bool
    summary: str
    sha256: str
    signatures: list[SignatureOut]
    on_file: OnFileOut | None


def verify_rate_limited(*, request: HttpRequest) -> int:
    """Seconds to wait when the client is over the limit this minute, else 0 (fails open without cache)."""
    limit = int(getattr(settings, "MOTCUA_SIGNING_VERIFY_RATE_LIMIT", 20))
    return rate_limit_hit(scope="verify", ident=client_ip(request), limit=limit, seconds=60)


def _error(status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse(error_body(status, detail, code=code), status=status)


@router.post(
    "/verify",
    response={200: VerifyOut, 400: ErrorOut, 413: ErrorOut, 429: ErrorOut},
    summary="Xác thực chữ ký số trên văn bản PDF",
    auth=None,
)
def verify(
    request: HttpRequest,
    file: File[UploadedFile],
    ma: Form[str] = "",
) -> HttpResponse:
    """Each signature of the PDF (signer, organisation, time, time-stamp, certificate chain to the trust
    roots; intact / modified after signing / revoked / expired) and, with a dossier code ``ma``, whether
    the file is the result on file for that dossier (SHA-256)."""
    wait = verify_rate_limited(request=request)
    if wait:
        response = _error(429, "Quá nhiều yêu cầu xác thực; vui lòng thử lại sau ít phút.", "rate_limited")
        response["Retry-After"] = str(wait)
        return response
    if file.size is not None and file.size > settings.MOTCUA_SIGNING_VERIFY_MAX_BYTES:
        limit = settings.MOTCUA_SIGNING_VERIFY_MAX_BYTES // (1024 * 1024)
        return _error(400, f"Tệp quá lớn (tối đa {limit} MB).", "too_large")
    try:
        report = document_verify(file.read(), code=ma.strip().upper())
    except VerificationRefused as exc:
        return _error(400, exc.message, exc.code)
    if report.unsigned:
        return _error(400, "Tệp PDF không có chữ ký số nào để xác thực.", "unsigned")
    return JsonResponse(VerifyOut.model_validate(report_dict(report)).model_dump(mode="json"))
