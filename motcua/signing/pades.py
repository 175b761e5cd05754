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
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter, init_xobject_dictionary
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp.base import BaseStamp, BaseStampStyle
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
class Appearance:
    """What pyHanko draws in a signature's widget.

    On a result made by the typst template, nothing: the template printed the signature's lines where
    the widget goes, and only marks the signed area for viewers. On an uploaded result, ``text_pdf``: a
    one-page PDF as large as the widget (less the QR code) with the lines set by typst (``documents.
    results.signature_stamp_render``, wrapped and sized to fit), drawn right of the QR code of
    ``qr_url`` (a square of the widget's height at its left), within a thin frame (``framed``).
    """

    text_pdf: bytes | None = None
    qr_url: str | None = None
    framed: bool = False


@dataclass(frozen=True)
class PageQr:
    """A QR code to draw on the page itself, in the signature's revision (the template's QR square)."""

    box: Box
    url: str


def appearance_text_size(box: Box, *, with_qr: bool) -> tuple[float, float]:
    """Width and height (points) of the text page an ``Appearance`` of ``box`` has room for."""
    width, height = box.x2 - box.x1, box.y2 - box.y1
    return (width - height if with_qr else width), height


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


# The printout's note is still set by pyHanko's own text engine. Its glyph widths (/W) are in font units
# while PDF reads them as thousandths of an em: Liberation Serif has 2048 units to the em, so every
# letter is drawn about twice as far from the last as the layout measured. Glyph positions are right
# for a 1000-unit font only; the note is short and left-aligned, so it stays legible.
_STAMP_FONT_SIZE = 7


def _font_factory() -> GlyphAccumulatorFactory:
    return GlyphAccumulatorFactory(str(FONT_PATH), font_size=_STAMP_FONT_SIZE)


def _qr_xobject(writer: BasePdfFileWriter, url: str) -> tuple[generic.IndirectObject, float]:
    """The QR code of ``url`` as a form XObject (with its quiet zone) and its natural size."""
    import qrcode  # type: ignore[import-untyped]  # no stubs; pyHanko draws QR codes with it
    from pyhanko.pdf_utils.qr import PdfStreamQRImage

    # Level L and a two-module quiet zone (the page around it is blank): the fewest, largest modules
    # for the square, so a phone — or a 110 dpi scan — reads it.
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=2)
    qr.add_data(url)
    qr.make()
    image = qr.make_image(image_factory=PdfStreamQRImage)
    size = (qr.modules_count + 2 * qr.border) * qr.box_size
    xobject = init_xobject_dictionary(image.render_command_stream(), size, size)
    xobject.compress()
    return writer.add_object(xobject), size


class _AppearanceStamp(BaseStamp):
    def __init__(self, writer: BasePdfFileWriter, style: _AppearanceStyle, box: BoxConstraints):
        super().__init__(writer, style, box=box)
        self.appearance = style.appearance

    def _render_inner_content(self) -> list[bytes]:
        writer, box, appearance = self.writer, self.box, self.appearance
        assert writer is not None
        commands: list[bytes] = []
        x = 0.0
        if appearance.qr_url is not None:
            ref, natural = _qr_xobject(writer, appearance.qr_url)
            self.set_resource(category=ResourceType.XOBJECT, name=pdf_name("/QR"), value=ref)
            scale = box.height / natural
            commands.append(b"q %g 0 0 %g 0 0 cm /QR Do Q" % (scale, scale))
            x = box.height
        if appearance.text_pdf is not None:
            page = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(appearance.text_pdf)), page_ix=0)
            self.set_resource(category=ResourceType.XOBJECT, name=pdf_name("/Text"), value=page)
            commands.append(b"q 1 0 0 1 %g 0 cm /Text Do Q" % x)
        return commands


@dataclass(frozen=True)
class _AppearanceStyle(BaseStampStyle):
    appearance: Appearance = Appearance()
    border_width: int = 0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: BoxConstraints, text_params: dict[str, object]
    ) -> _AppearanceStamp:
        return _AppearanceStamp(writer, self, box)


class _QrStamp(BaseStamp):
    """A QR code alone, drawn into the page's content (pyHanko's ``QRStamp`` insists on a text box)."""

    def __init__(self, writer: BasePdfFileWriter, url: str, size: float):
        super().__init__(writer, BaseStampStyle(border_width=0), box=BoxConstraints(width=size, height=size))
        self.url = url

    def _render_inner_content(self) -> list[bytes]:
        assert self.writer is not None
        ref, natural = _qr_xobject(self.writer, self.url)
        self.set_resource(category=ResourceType.XOBJECT, name=pdf_name("/QR"), value=ref)
        scale = self.box.width / natural
        return [b"q %g 0 0 %g 0 0 cm /QR Do Q" % (scale, scale)]


def _page_qr_draw(writer: IncrementalPdfFileWriter, qr: PageQr) -> None:
    """Draw ``qr`` on its page, with a link to its address over it (a click opens the verification)."""
    count = int(writer.root["/Pages"]["/Count"])
    page = qr.box.page if qr.box.page >= 0 else count + qr.box.page
    size = min(qr.box.x2 - qr.box.x1, qr.box.y2 - qr.box.y1)
    page_ref, _ = _QrStamp(writer, qr.url, size).apply(page, qr.box.x1, qr.box.y1)  # type: ignore[arg-type]
    link = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Link"),
            pdf_name("/F"): generic.NumberObject(4),  # printed, as PDF/A wants of every annotation
            pdf_name("/Border"): generic.ArrayObject([generic.NumberObject(0)] * 3),
            pdf_name("/Rect"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (qr.box.x1, qr.box.y1, qr.box.x1 + size, qr.box.y1 + size)]
            ),
            pdf_name("/A"): generic.DictionaryObject(
                {pdf_name("/S"): pdf_name("/URI"), pdf_name("/URI"): generic.pdf_string(qr.url)}
            ),
        }
    )
    writer.register_annotation(page_ref, writer.add_object(link))


class _PdfSignerAt(signers.PdfSigner):
    """A ``PdfSigner`` whose signing time (the CMS signing-time and the signature's /M) is the one the
    document prints, instead of pyHanko's own clock a few milliseconds later."""

    def __init__(self, *args: object, signing_time: datetime | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._signing_time = signing_time

    def init_signing_session(
        self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        if self._signing_time is not None:
            session.system_time = self._signing_time
        return session


def pdf_sign(
    data: bytes,
    *,
    signer: signers.Signer,
    field_name: str,
    box: Box,
    appearance: Appearance,
    reason: str,
    location: str,
    page_qr: PageQr | None = None,
    signing_time: datetime | None = None,
    timestamper: timestamps.TimeStamper | None = None,
) -> bytes:
    """``data`` with one more PAdES signature (B-B, or B-T with ``timestamper``), incrementally.

    The widget covers ``box`` and draws ``appearance``; ``page_qr`` is drawn on the page in the same
    revision, so the signature covers it. ``signing_time`` (aware): the time the signature claims.
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
    pdf_signer = _PdfSignerAt(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=_AppearanceStyle(appearance=appearance, border_width=1 if appearance.framed else 0),
        new_field_spec=fields.SigFieldSpec(
            field_name, on_page=box.page, box=(int(box.x1), int(box.y1), int(box.x2), int(box.y2))
        ),
        signing_time=signing_time,
    )
    out = io.BytesIO()
    try:
        if page_qr is not None:
            _page_qr_draw(writer, page_qr)
        # bytes_reserved: without it pyHanko builds the whole CMS twice, once to measure it (half the
        # time of a signature). Ample for an ECDSA or RSA-4096 signature with a chain of four
        # certificates and a time-stamp token.
        _outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=out, bytes_reserved=_BYTES_RESERVED))
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
