"""PAdES signatures with pyHanko — chữ ký số PAdES trên văn bản kết quả.

Pure functions on bytes (no database): ``pdf_sign`` adds one signature as an incremental revision, so
the leader's signature and then the organisation's seal (văn thư) sit on the same file, each covering
the revisions before it; ``pdf_signatures_validate`` checks every signature of a file.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import QRPosition, QRStampStyle
from pyhanko_certvalidator import ValidationContext

# fontTools logs every glyph subset at INFO and an unknown table at WARNING, on every signature.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

FONT_PATH = Path(__file__).resolve().parents[1] / "documents" / "fonts" / "LiberationSerif-Regular.ttf"


@dataclass(frozen=True)
class Box:
    """Where the visible signature goes: page (0-based, -1 = last) and a box in PDF points."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class StampText:
    """What the visible signature block says (Vietnamese), and where its QR code points."""

    lines: tuple[str, ...]
    url: str | None = None


class PdfUnreadable(Exception):
    """The file is not a PDF pyHanko can read or write (damaged, encrypted)."""


_T = TypeVar("_T")
# Room for the CMS signature container in the file (hex-encoded in the /Contents string).
_BYTES_RESERVED = 16_384


def _outside_event_loop(fn: Callable[[], _T]) -> _T:
    """Run ``fn`` here, or in a worker thread when this thread already runs an asyncio loop.

    pyHanko's synchronous calls wrap its async core in ``asyncio.run``, which refuses to start inside a
    running loop (an ASGI worker, a Playwright test driving the live server). The work is pure (bytes in,
    bytes out): no database connection crosses the thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


# The text box must use the glyph accumulator's size: with different sizes the glyphs are placed for one
# and drawn at the other (pyHanko keeps them apart), and the line runs out of the box.
_STAMP_FONT_SIZE = 7


def _font_factory() -> GlyphAccumulatorFactory:
    return GlyphAccumulatorFactory(str(FONT_PATH), font_size=_STAMP_FONT_SIZE)


_STYLE_CACHE: dict[bool, object] = {}


def _style(with_qr: bool) -> QRStampStyle | object:
    from pyhanko.stamp import TextStampStyle

    style = _STYLE_CACHE.get(with_qr)
    if style is None:
        box_style = TextBoxStyle(
            font=_font_factory(), font_size=_STAMP_FONT_SIZE, leading=_STAMP_FONT_SIZE + 2
        )
        if with_qr:
            style = QRStampStyle(
                stamp_text="%(text)s",
                text_box_style=box_style,
                border_width=1,
                qr_position=QRPosition.LEFT_OF_TEXT,
                background=None,
            )
        else:
            style = TextStampStyle(stamp_text="%(text)s", text_box_style=box_style, border_width=1)
        _STYLE_CACHE[with_qr] = style
    return style


def pdf_sign(
    data: bytes,
    *,
    signer: signers.Signer,
    field_name: str,
    box: Box,
    stamp: StampText,
    reason: str,
    location: str,
    timestamper: timestamps.TimeStamper | None = None,
) -> bytes:
    """``data`` with one more PAdES signature (B-B, or B-T with ``timestamper``), incrementally.

    ``PdfUnreadable`` when the PDF cannot be read or updated; pyHanko's ``SigningError`` otherwise.
    """
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise PdfUnreadable(str(exc)) from exc
    if writer.prev.encrypted:
        raise PdfUnreadable("encrypted")
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        use_pades_lta=False,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=_style(stamp.url is not None),  # type: ignore[arg-type]
        new_field_spec=fields.SigFieldSpec(
            field_name, on_page=box.page, box=(int(box.x1), int(box.y1), int(box.x2), int(box.y2))
        ),
    )
    params: dict[str, str] = {"text": "\n".join(stamp.lines)}
    if stamp.url is not None:
        params["url"] = stamp.url
    out = io.BytesIO()
    try:
        # bytes_reserved: without it pyHanko builds the whole CMS twice, once to measure it (half the
        # time of a signature). Ample for an ECDSA or RSA-4096 signature with a chain of four
        # certificates and a time-stamp token.
        _outside_event_loop(
            lambda: pdf_signer.sign_pdf(
                writer, appearance_text_params=params, output=out, bytes_reserved=_BYTES_RESERVED
            )
        )
    except (PdfError, KeyError, TypeError) as exc:
        raise PdfUnreadable(str(exc)) from exc
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of a file, as the verification page and API tell it."""

    field_name: str
    signer_name: str
    organisation: str
    title: str
    serial: int
    signed_at: datetime | None  # the time the signer's machine claimed
    timestamp_at: datetime | None  # the TSA's time (PAdES B-T), None without a time-stamp
    timestamp_valid: bool | None
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature checks
    trusted: bool  # the certificate chains to a trust root and is neither revoked nor expired
    revoked: bool
    expired: bool
    covers_whole_file: bool  # nothing at all was added after it
    modified_after: bool  # changes after signing other than later signatures and their fields
    chain: tuple[str, ...]  # subjects from the signer to the root
    problem: str  # pyHanko's own words on a trust problem ("" when none)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.modified_after


def _attr(name: asn1_x509.Name, key: str) -> str:
    value = name.native.get(key, "")
    return value if isinstance(value, str) else ", ".join(value) if isinstance(value, list) else str(value)


def validation_context(
    *, trust_roots: list[asn1_x509.Certificate], crls: list[bytes], others: list[asn1_x509.Certificate]
) -> ValidationContext:
    """Offline, hard-fail on revocation: the CRLs given are the only source (no network from a page)."""
    return ValidationContext(
        trust_roots=trust_roots,
        other_certs=others,
        crls=crls,
        allow_fetching=False,
        revocation_mode="soft-fail" if not crls else "hard-fail",
    )


def pdf_signatures_validate(data: bytes, *, context_factory: object) -> list[SignatureCheck]:
    """Every embedded signature of ``data``, oldest first. ``PdfUnreadable`` for a non-PDF or encrypted file.

    ``context_factory`` is called once per signature (pyHanko's ValidationContext keeps state).
    """
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise PdfUnreadable("encrypted")
        embedded = list(reader.embedded_signatures)
    except PdfUnreadable:
        raise
    except Exception as exc:  # pyHanko raises many kinds on a broken file
        raise PdfUnreadable(str(exc)) from exc
    checks = []
    for sig in embedded:
        ctx = context_factory()  # type: ignore[operator]
        try:
            status = _outside_event_loop(partial(validate_pdf_signature, sig, ctx))
        except (SigningError, PdfError, ValueError, KeyError) as exc:
            raise PdfUnreadable(str(exc)) from exc
        cert = status.signing_cert
        subject = cert.subject
        revoked = status.revocation_details is not None
        indic = status.trust_problem_indic
        problem = str(getattr(indic, "name", indic)) if indic is not None else ""
        expired = problem in ("EXPIRED", "OUT_OF_BOUNDS_NO_POE", "NOT_YET_VALID")
        coverage = status.coverage
        modification = status.modification_level
        whole = coverage is not None and coverage.name == "ENTIRE_FILE"
        # Later signatures (the seal after the leader's) are allowed; anything else after signing is not.
        modified_after = (
            not status.intact
            or coverage is None
            or coverage.name not in ("ENTIRE_FILE", "ENTIRE_REVISION")
            or (modification is not None and modification.name not in ("NONE", "LTA_UPDATES", "FORM_FILLING"))
        )
        ts = status.timestamp_validity
        chain: tuple[str, ...] = ()
        if status.validation_path is not None:
            chain = tuple(
                _attr(c.subject, "common_name")
                for c in reversed(list(status.validation_path.iter_certs(include_root=True)))
            )
        checks.append(
            SignatureCheck(
                field_name=sig.field_name,
                signer_name=_attr(subject, "common_name"),
                organisation=_attr(subject, "organization_name"),
                title=_attr(subject, "title"),
                serial=cert.serial_number,
                signed_at=status.signer_reported_dt,
                timestamp_at=ts.timestamp if ts is not None else None,
                timestamp_valid=(ts.valid and ts.intact and ts.trusted) if ts is not None else None,
                intact=status.intact,
                valid=status.valid,
                trusted=status.trusted and not revoked,
                revoked=revoked,
                expired=expired,
                covers_whole_file=whole,
                modified_after=modified_after,
                chain=chain,
                problem=problem,
            )
        )
    return checks


def pdf_printout(data: bytes, *, note: str) -> bytes:
    """A printable copy (bản in) with ``note`` stamped at the top of every page.

    Added as an incremental update: the signatures of the original stay readable in the copy, and a
    verification reports the copy as changed after signing — it is a copy, not the original.
    """
    from pyhanko.stamp import TextStamp, TextStampStyle

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        style = TextStampStyle(
            stamp_text="%(text)s",
            text_box_style=TextBoxStyle(font=_font_factory()),
            border_width=0,
            background=None,
        )
        for index in range(int(writer.root["/Pages"]["/Count"])):
            page = (
                writer.root["/Pages"]["/Kids"][index] if index < len(writer.root["/Pages"]["/Kids"]) else None
            )
            top = 842.0
            if page is not None and "/MediaBox" in page:
                top = float(page["/MediaBox"][3])
            TextStamp(writer, style, text_params={"text": note}).apply(index, 40, int(top) - 24)
        out = io.BytesIO()
        _outside_event_loop(lambda: writer.write(out))
    except (PdfError, KeyError, TypeError, ValueError) as exc:
        raise PdfUnreadable(str(exc)) from exc
    return out.getvalue()
