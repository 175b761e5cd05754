"""Uploaded scans — tệp đính kèm: the one check every channel's files go through before they are stored.

The dossier engine's component service (``dossiers.services.components``) calls ``upload_check`` on
every file it stores, so counter intake, supplements, the API and the citizen portal share it; a form
may call it first to show the message beside its field (the checked file is then not checked again).

The kind is judged from the content, never from the name: a PDF, a JPEG or a PNG (``MOTCUA_UPLOAD_TYPES``)
whatever the file is called. HTML, SVG, PHP, archives and anything else are refused.

* **Images** are decoded and **re-encoded** with Pillow: only the pixels survive, so EXIF (GPS position,
  camera serial), comments, ICC profiles and anything appended to the file (a script or an archive glued
  after the image, a "polyglot") are gone. The pixel count is checked from the header before decoding,
  so a decompression bomb (a few KB declaring 100 000 × 100 000 pixels) is refused without allocating.
* **PDFs** are opened with pypdf; the page tree and every page's content stream are read, so a damaged
  file is refused rather than stored for an official to discover later. Not in pypdf's strict mode:
  that refuses cross-reference offsets a few bytes off, common in scanner output and repaired by every
  viewer; a file without its end (a cut-off upload), without a readable page tree or with a page that
  cannot be decoded is refused all the same. pypdf rather than pikepdf: it is pure Python (no C++
  parser handling untrusted bytes in the web process), already locked for the tests, its documented
  security limits cap decompression output (75 MB per stream), and qpdf's aggressive reconstruction
  would open a truncated scan with its missing pages silently dropped. A PDF that needs a password cannot be
  read by the officials either, so it is refused with a request for an unprotected copy; one that
  opens with the empty password (owner restrictions only, common from signing tools) is accepted. PDFs
  with active content (JavaScript, launch actions, embedded files, XFA) are refused: a scan has none.
  A PDF is stored as sent — re-writing it would invalidate digital signatures on signed documents.
  So a **polyglot** — a file that is a PDF and also something else a browser or an unpacker would act
  on — is refused: a ZIP archive (a readable end-of-archive record: a .docx, .xlsx or .jar glued to the
  PDF, which an unzip tool opens whole) or HTML/SVG markup with a script or a document element.
* **Archives** (.docx, .xlsx are ZIP files) are not an accepted kind: their content decides, and a ZIP
  is refused by its first bytes before anything is unpacked, so a ZIP bomb is never inflated.

Over-large files are stopped while they arrive (``UploadLimitHandler``, first in ``FILE_UPLOAD_HANDLERS``)
and whole multipart bodies over ``MOTCUA_UPLOAD_MAX_REQUEST_BYTES`` before they are read
(``core.middleware``); ``upload_check`` repeats the size check for files that came another way.
"""

from __future__ import annotations

import io
import logging
import os
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import RequestDataTooBig
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadhandler import FileUploadHandler
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

logger = logging.getLogger(__name__)

UNNAMED = "tệp đính kèm"


@dataclass(frozen=True)
class Kind:
    """A kind of file accepted: how its content starts, the name its copy gets, how it is served."""

    key: str
    label: str
    magic: bytes
    extension: str
    content_type: str
    pillow_formats: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("pdf", "PDF", b"%PDF-", ".pdf", "application/pdf"),
        # MPO: the JPEG variant of phone cameras (a JPEG with extra views); re-encoded as a plain JPEG.
        Kind("jpeg", "JPG", b"\xff\xd8\xff", ".jpg", "image/jpeg", ("JPEG", "MPO")),
        Kind("png", "PNG", b"\x89PNG\r\n\x1a\n", ".png", "image/png", ("PNG",)),
    )
}


class UploadRefused(ValueError):
    """A file that is not stored; ``message`` is the Vietnamese sentence naming it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UploadTooLarge(RequestDataTooBig):
    """A file over the limit, stopped while it arrives; the edge answers 413 with ``detail``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class CheckedUpload(ContentFile):
    """The bytes to store for an upload that passed ``upload_check`` (re-encoded for an image)."""

    def __init__(self, content: bytes, *, name: str, kind: Kind) -> None:
        super().__init__(content, name=name)
        self.kind = kind
        self.content_type = kind.content_type


@register()
def check_upload_settings(app_configs: Sequence[Any] | None, **kwargs: Any) -> list[CheckMessage]:
    """The upload settings make sense together (``motcua check``, run at every start)."""
    errors: list[CheckMessage] = []
    unknown = [key for key in settings.MOTCUA_UPLOAD_TYPES if key not in KINDS]
    if unknown or not settings.MOTCUA_UPLOAD_TYPES:
        errors.append(
            Error(
                f"MOTCUA_UPLOAD_TYPES {settings.MOTCUA_UPLOAD_TYPES!r}: chỉ gồm {', '.join(KINDS)} "
                f"(only these kinds are known), không rỗng (not empty).",
                id="motcua.E010",
            )
        )
    if settings.MOTCUA_UPLOAD_MAX_REQUEST_BYTES < settings.MOTCUA_UPLOAD_MAX_BYTES:
        errors.append(
            Error(
                "MOTCUA_UPLOAD_MAX_REQUEST_BYTES nhỏ hơn MOTCUA_UPLOAD_MAX_BYTES: một tệp đúng giới hạn cũng "
                "bị từ chối (a file within its limit would be refused with its request).",
                id="motcua.E011",
            )
        )
    return errors


def size_text(limit: int) -> str:
    """20 MB / 2,5 MB / 900 KB — the Vietnamese way (decimal comma)."""
    unit, scale = ("MB", 1024 * 1024) if limit >= 1024 * 1024 else ("KB", 1024)
    return f"{limit / scale:.1f}".rstrip("0").rstrip(".").replace(".", ",") + f" {unit}"


def allowed_kinds() -> list[Kind]:
    return [KINDS[key] for key in settings.MOTCUA_UPLOAD_TYPES if key in KINDS]


def file_input() -> forms.ClearableFileInput:
    """A file input whose picker offers the accepted kinds (a convenience: the content still decides)."""
    accept = [f"{k.extension},{k.content_type}" for k in allowed_kinds()]
    if "jpeg" in settings.MOTCUA_UPLOAD_TYPES:
        accept.insert(0, ".jpeg")
    return forms.ClearableFileInput(attrs={"accept": ",".join(accept)})


def too_large_message(name: str) -> str:
    return f"Tệp «{name}» lớn hơn {size_text(settings.MOTCUA_UPLOAD_MAX_BYTES)} (giới hạn mỗi tệp)."


def _display_name(upload: File) -> str:
    return os.path.basename(upload.name or "") or UNNAMED


def _kind_of(head: bytes) -> Kind | None:
    for kind in allowed_kinds():
        if head.startswith(kind.magic):
            return kind
    return None


def upload_check(upload: File) -> CheckedUpload:
    """The bytes to store for ``upload``, or ``UploadRefused`` with a Vietnamese message naming the file.

    Nothing is written anywhere: the caller stores the result (or nothing, on refusal).
    """
    if isinstance(upload, CheckedUpload):
        return upload
    name = _display_name(upload)
    limit = settings.MOTCUA_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadRefused(too_large_message(name))
    upload.seek(0)
    data = upload.read(limit + 1)  # at most one byte past the limit, whatever the declared size said
    upload.seek(0)
    if len(data) > limit:
        raise UploadRefused(too_large_message(name))
    if not data:
        raise UploadRefused(f"Tệp «{name}» rỗng.")
    kind = _kind_of(data)
    if kind is None:
        names = [k.label for k in allowed_kinds()]
        labels = ", ".join(names[:-1]) + " hoặc " + names[-1] if len(names) > 1 else "".join(names)
        raise UploadRefused(
            f"Tệp «{name}» không phải tệp {labels} (hệ thống xét nội dung tệp, không xét đuôi tên tệp)."
        )
    if kind.pillow_formats:
        content = _image_reencoded(data, kind=kind, name=name)
    else:
        _pdf_check(data, name=name)
        content = data
    stem = os.path.splitext(name)[0] if name != UNNAMED else "tep-dinh-kem"
    return CheckedUpload(content, name=f"{stem}{kind.extension}", kind=kind)


# --------------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------------

# Modes written as they are; anything else (CMYK, 16-bit, …) is converted to RGB first.
_JPEG_MODES = frozenset({"L", "RGB"})
_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16"})  # I;16: 16-bit grey scans


def _image_reencoded(data: bytes, *, kind: Kind, name: str) -> bytes:
    corrupt = UploadRefused(f"Tệp «{name}» bị hỏng hoặc không phải ảnh {kind.label} hợp lệ.")
    max_pixels = settings.MOTCUA_UPLOAD_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its own limit refuses) on huge images: both are refusals here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(kind.pillow_formats)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise _too_many_pixels(name, width, height)
                image.load()
                # The orientation lives in EXIF, which is dropped: turn the pixels upright first.
                upright = ImageOps.exif_transpose(image)
                return _encoded(upright, kind=kind)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(name, 0, 0) from None
    except UploadRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        logger.info("Ảnh tải lên bị từ chối (%s): %s", name, exc)
        raise corrupt from None


def _too_many_pixels(name: str, width: int, height: int) -> UploadRefused:
    size = f" ({width} × {height} điểm ảnh)" if width and height else ""
    limit = f"{settings.MOTCUA_UPLOAD_MAX_PIXELS / 1_000_000:g}".replace(".", ",")
    return UploadRefused(f"Ảnh «{name}» quá lớn{size}: tối đa {limit} triệu điểm ảnh.")


def _dpi(image: Image.Image) -> dict[str, tuple[float, float]]:
    """The scan's resolution, the one piece of metadata kept: it gives the printed size of the page."""
    dpi: Any = image.info.get("dpi")
    try:
        x, y = (float(v) for v in dpi)
    except (TypeError, ValueError):
        return {}
    return {"dpi": (x, y)} if 0 < x <= 10_000 and 0 < y <= 10_000 else {}


def _encoded(image: Image.Image, *, kind: Kind) -> bytes:
    out = io.BytesIO()
    dpi = _dpi(image)
    if kind.key == "jpeg":
        clean = image if image.mode in _JPEG_MODES else image.convert("RGB")
        # Only the pixels (and the resolution): no exif, icc_profile or comment is passed or kept.
        clean.info = {}
        clean.save(out, format="JPEG", quality=90, optimize=True, **dpi)
    else:
        alpha = "A" in image.mode or "transparency" in image.info
        clean = image if image.mode in _PNG_MODES else image.convert("RGBA" if alpha else "RGB")
        # PNG writes im.info's ICC profile and transparency by default: keep only the transparency.
        clean.info = {k: v for k, v in clean.info.items() if k == "transparency"}
        clean.save(out, format="PNG", optimize=True, **dpi)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# PDFs
# --------------------------------------------------------------------------------------------------

_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"})


def _pdf_check(data: bytes, *, name: str) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)  # why not strict: module docstring
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRefused(f"Tệp «{name}» được đặt mật khẩu; vui lòng nộp bản PDF không đặt mật khẩu.")
        if len(reader.pages) == 0:
            raise UploadRefused(f"Tệp «{name}» không có trang nào.")
        active = _pdf_active_content(reader)
        for page in reader.pages:
            contents = page.get_contents()  # decodes the page's streams: a damaged one raises
            if contents is not None:
                contents.get_data()
    except UploadRefused:
        raise
    except Exception as exc:  # pypdf raises many types (PdfReadError, KeyError, …) on damaged input
        logger.info("PDF tải lên bị từ chối (%s): %r", name, exc)
        if "password" in str(exc).lower() or "decrypt" in str(exc).lower():
            raise UploadRefused(
                f"Tệp «{name}» được đặt mật khẩu; vui lòng nộp bản PDF không đặt mật khẩu."
            ) from None
        raise UploadRefused(f"Tệp «{name}» bị hỏng hoặc không phải tệp PDF hợp lệ.") from None
    if active:
        raise UploadRefused(
            f"Tệp «{name}» chứa nội dung chủ động ({active}); vui lòng nộp bản quét PDF thông thường."
        )
    if other := _pdf_polyglot(data):
        raise UploadRefused(
            f"Tệp «{name}» vừa là PDF vừa là {other}; vui lòng nộp bản PDF thông thường "
            "(xuất lại từ phần mềm quét hoặc in ra PDF)."
        )


# Markup a browser would run if it were ever served the file as HTML: a document or script element.
_MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html[\s>]|script[\s>/]|svg[\s>]|iframe[\s>])", re.IGNORECASE)


def _pdf_polyglot(data: bytes) -> str | None:
    """What else a PDF also is (a ZIP archive, an HTML/SVG document), or None.

    ZIP: ``zipfile`` finds and checks the end-of-archive record, which an unzip tool reads from the end
    of the file whatever comes first — a few chance bytes inside a compressed stream do not make one.
    Markup: looked for in the raw bytes; a scanner's PDF holds none (its streams are compressed or
    drawing operators), and seven given bytes by chance in compressed data are vanishingly rare.
    """
    if zipfile.is_zipfile(io.BytesIO(data)):
        return "tệp nén ZIP"
    if _MARKUP.search(data):
        return "trang HTML"
    return None


def _dict(value: Any) -> DictionaryObject:
    """``value`` resolved (an indirect reference followed) when it is a dictionary, else an empty one."""
    if value is not None and hasattr(value, "get_object"):
        value = value.get_object()
    return value if isinstance(value, DictionaryObject) else DictionaryObject()


def _action_is_active(action: Any) -> bool:
    return _dict(action).get("/S") in _ACTIVE_ACTIONS


def _pdf_active_content(reader: PdfReader) -> str | None:
    """What makes the PDF more than a document to read (scripts, launch actions, attachments), or None."""
    root = _dict(reader.trailer.get("/Root"))
    names = _dict(root.get("/Names"))
    if "/JavaScript" in names:
        return "JavaScript"
    if "/EmbeddedFiles" in names:
        return "tệp đính kèm bên trong"
    if "/AA" in root or _action_is_active(root.get("/OpenAction")):
        return "hành động tự chạy"
    if "/XFA" in _dict(root.get("/AcroForm")):
        return "biểu mẫu XFA"
    for page in reader.pages:
        if "/AA" in page:
            return "hành động tự chạy"
        annotations = page.get("/Annots")
        annotations = annotations.get_object() if annotations is not None else []
        for item in annotations if isinstance(annotations, list) else []:
            annotation = _dict(item)
            if annotation.get("/Subtype") == "/FileAttachment":
                return "tệp đính kèm bên trong"
            if _action_is_active(annotation.get("/A")):
                return "JavaScript hoặc lệnh chạy chương trình"
    return None


# --------------------------------------------------------------------------------------------------
# Stopping an over-large upload while it arrives
# --------------------------------------------------------------------------------------------------


class UploadLimitHandler(FileUploadHandler):
    """First upload handler: counts each file's bytes as they arrive and stops past the limit.

    Without it Django reads a file to its end (into memory or a temporary file) before any form or
    service sees its size. The exception is a ``RequestDataTooBig``, so the request guard answers 413
    (``core.middleware``) and the rest of the body is never read.
    """

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.MOTCUA_UPLOAD_MAX_BYTES:
            raise UploadTooLarge(too_large_message(os.path.basename(self.file_name or "") or UNNAMED))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers (memory, temporary file) build the file
