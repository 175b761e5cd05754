"""Verification of a signed result — xác thực văn bản điện tử (the public page ``/xac-thuc`` and the API).

``document_verify(data, code=…)`` reads every signature of the PDF (signer, organisation, time,
time-stamp, certificate chain to the trust roots, intact / modified after signing, revoked / expired)
and whether the file is the result on file for that dossier (its SHA-256). ``qr_lookup(code, h)`` tells
what the QR code of a result points at. Bad files raise ``VerificationRefused`` with a Vietnamese message.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings

from motcua.dossiers.models import Dossier, DossierResultDocument
from motcua.signing import pades
from motcua.signing.errors import VerificationRefused
from motcua.signing.models import SignedResult
from motcua.signing.trust import context_factory

_CODE = re.compile(r"^[0-9A-Z.\-]{8,64}$")
_HASH_PREFIX = re.compile(r"^[0-9a-f]{16,64}$")


@dataclass(frozen=True)
class SignatureReport:
    """One signature, in words for people and flags for programs."""

    check: pades.SignatureCheck
    verdict: str  # "valid" | "modified" | "revoked" | "expired" | "untrusted" | "invalid"
    message: str


@dataclass(frozen=True)
class OnFile:
    """The result on file that the document was compared with."""

    dossier_code: str
    number: str
    signer_name: str
    unit_name: str
    signed_at: datetime | None
    sha256: str
    matches: bool


@dataclass(frozen=True)
class VerificationReport:
    sha256: str
    signatures: list[SignatureReport] = field(default_factory=list)
    on_file: OnFile | None = None
    dossier_code: str = ""  # the code asked about, when there was one

    @property
    def unsigned(self) -> bool:
        return not self.signatures

    @property
    def valid(self) -> bool:
        return bool(self.signatures) and all(s.verdict == "valid" for s in self.signatures)

    @property
    def summary(self) -> str:
        if self.unsigned:
            return "Tệp không có chữ ký số."
        if self.valid:
            return "Tất cả chữ ký số trên văn bản hợp lệ; văn bản không bị thay đổi sau khi ký."
        if any(s.verdict == "modified" for s in self.signatures):
            return "Văn bản đã bị thay đổi sau khi ký: chữ ký số không còn giá trị."
        return "Có chữ ký số không hợp lệ hoặc không được tin cậy."


def _verdict(check: pades.SignatureCheck) -> tuple[str, str]:
    if not check.intact or not check.valid:
        return "modified", "Nội dung đã bị thay đổi sau khi ký (chữ ký không khớp với văn bản)."
    if check.modified_after:
        return "modified", "Văn bản đã bị sửa đổi sau khi ký (có thay đổi ngoài các chữ ký tiếp theo)."
    if check.revoked:
        return "revoked", "Chứng thư số của người ký đã bị thu hồi."
    if check.expired:
        return "expired", "Chứng thư số đã hết hạn hoặc chưa có hiệu lực tại thời điểm kiểm tra."
    if not check.trusted:
        return "untrusted", "Chứng thư số không thuộc tổ chức cung cấp dịch vụ chứng thực được tin cậy."
    return "valid", "Chữ ký hợp lệ, văn bản nguyên vẹn từ khi ký."


def document_verify(data: bytes, *, code: str = "") -> VerificationReport:
    """The signatures of ``data`` and, with a dossier ``code``, whether it is that dossier's result."""
    if len(data) > settings.MOTCUA_SIGNING_VERIFY_MAX_BYTES:
        raise VerificationRefused(
            f"Tệp quá lớn (tối đa {settings.MOTCUA_SIGNING_VERIFY_MAX_BYTES // (1024 * 1024)} MB).",
            code="too_large",
        )
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise VerificationRefused("Tệp không phải văn bản PDF.", code="not_pdf")
    try:
        checks = pades.pdf_signatures_validate(data, context_factory=context_factory)
    except pades.PdfUnreadable as exc:
        if "encrypted" in str(exc):
            raise VerificationRefused(
                "Tệp PDF được đặt mật khẩu; vui lòng tải lên bản gốc không mã hoá.", code="encrypted"
            ) from None
        raise VerificationRefused("Tệp PDF bị hỏng, không đọc được.", code="broken") from None
    sha256 = hashlib.sha256(data).hexdigest()
    reports = [SignatureReport(check, *_verdict(check)) for check in checks]
    return VerificationReport(
        sha256=sha256, signatures=reports, on_file=_on_file(code, sha256), dossier_code=code
    )


def _on_file(code: str, sha256: str) -> OnFile | None:
    """The dossier's result on file: the one with this hash, else its latest (to say it differs)."""
    if not code or not _CODE.match(code):
        return None
    documents = list(
        DossierResultDocument.objects.filter(dossier__code=code)
        .select_related("dossier")
        .order_by("-uploaded_at")
    )
    if not documents:
        return None
    document = next((doc for doc in documents if doc.sha256 == sha256), documents[0])
    return _describe(document, matches=document.sha256 == sha256)


def _describe(document: DossierResultDocument, *, matches: bool) -> OnFile:
    signed = SignedResult.objects.filter(document=document).select_related("unit").first()
    return OnFile(
        dossier_code=document.dossier.code,
        number=signed.number if signed else document.dossier.signature_reference,
        signer_name=signed.signer_name if signed else "",
        unit_name=signed.unit.name if signed else "",
        signed_at=signed.signed_at if signed else document.uploaded_at,
        sha256=document.sha256,
        matches=matches,
    )


def qr_lookup(*, code: str, h: str) -> OnFile | None:
    """The signed result a QR code points at (dossier code + first hex digits of the unsigned hash)."""
    code, h = code.strip().upper(), h.strip().lower()
    if not _CODE.match(code) or not _HASH_PREFIX.match(h):
        return None
    signed = (
        SignedResult.objects.filter(dossier__code=code, unsigned_sha256__startswith=h)
        .select_related("document__dossier", "unit")
        .first()
    )
    if signed is None:
        return None
    return _describe(signed.document, matches=True)


def dossier_exists(code: str) -> bool:
    return bool(_CODE.match(code)) and Dossier.objects.filter(code=code).exists()
