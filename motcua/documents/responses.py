"""HTTP response for a rendered form (phản hồi tải biểu mẫu PDF)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

from motcua.core.text import nfc

_PDF_SUFFIX = re.compile(r"\.pdf$", re.IGNORECASE)
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")
# Path separators, quotes and controls could escape the header value or name a path on the client.
_UNSAFE_UNICODE = re.compile(r"[\x00-\x1f\x7f/\\\"';]+")


def _ascii_filename(name: str) -> str:
    # Old clients only read filename=, so it gets an accent-folded form: "Giấy tiếp nhận" → "Giay-tiep-nhan".
    decomposed = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _UNSAFE_ASCII.sub("-", stripped).strip("-.") or "bieu-mau"


def _with_pdf_suffix(name: str) -> str:
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """Serve PDF bytes inline (opened in the browser's viewer) under ``filename``.

    ``Content-Disposition`` carries a safe ASCII ``filename`` for old clients and the exact
    Vietnamese name as RFC 5987 ``filename*``. Forms hold personal data, so shared caches must not
    keep them.
    """
    unicode_name = _with_pdf_suffix(_UNSAFE_UNICODE.sub("-", nfc(filename)).strip("-. ") or "bieu-mau")
    ascii_name = _with_pdf_suffix(_ascii_filename(_PDF_SUFFIX.sub("", unicode_name)))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(unicode_name, safe='')}"
    )
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
