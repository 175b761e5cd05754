"""PAdES signatures with pyHanko — chữ ký số PAdES trên văn bản kết quả.

Pure functions on bytes (no database): ``pdf_sign`` adds one signature as an incremental revision, so
the leader's signature and then the organisation's seal (văn thư) sit on the same file, each covering
the revisions before it; ``pdf_signatures_validate`` checks every signature of a file.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import os
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from fontTools import subset as font_subset  # type: ignore[import-untyped]
from fontTools import ttLib
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
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
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
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
# Room for the CMS container beyond the certificates it carries: signature value (RSA-4096: 512 bytes),
# signed attributes, structure; and for a time-stamp token (its TSA certificates included).
_CMS_ALLOWANCE = 2048
_TIMESTAMP_ALLOWANCE = 4096


# pyHanko's core is async; its synchronous calls wrap it in ``asyncio.run``: a new event loop per call,
# refused inside a running loop (an ASGI worker, a Playwright test driving the live server), and — in the
# main thread, on Python 3.11 — formatting ``repr()`` of the result while restoring the SIGINT handler.
# Instead the async API runs on a few long-lived threads, each with its own loop: no loop per call, the
# same path with or without a running loop, and a TSA request or a PKCS#11 token waiting on one signature
# does not hold up another. The work is pure (bytes in, bytes out): no database connection crosses.
_RUNNER_THREADS = 4
_runner: ThreadPoolExecutor | None = None
_runner_lock = threading.Lock()
_thread_state = threading.local()


def _runner_reset() -> None:
    global _runner
    _runner = None  # a forked child has none of the parent's threads


os.register_at_fork(after_in_child=_runner_reset)


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_thread_state, "loop", None)
    if loop is None:
        loop = _thread_state.loop = asyncio.new_event_loop()
    return loop


def _run(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run the coroutine ``make()`` to completion on one of the pyHanko threads and return its result."""
    global _runner
    runner = _runner
    if runner is None:
        with _runner_lock:
            if _runner is None:
                _runner = ThreadPoolExecutor(max_workers=_RUNNER_THREADS, thread_name_prefix="pyhanko")
            runner = _runner
    return runner.submit(lambda: _thread_loop().run_until_complete(make())).result()


def _outside_event_loop(fn: Callable[[], _T]) -> _T:
    """Run the synchronous ``fn`` (which may call ``asyncio.run`` inside pyHanko) on a pyHanko thread."""

    async def call() -> _T:
        return fn()

    return _run(call)


# The printout's note is still set by pyHanko's own text engine. Its glyph widths (/W) are in font units
# while PDF reads them as thousandths of an em: Liberation Serif has 2048 units to the em, so every
# letter is drawn about twice as far from the last as the layout measured. Glyph positions are right
# for a 1000-unit font only; the note is short and left-aligned, so it stays legible.
_STAMP_FONT_SIZE = 7


# The text of the stamp being drawn: the font factory picks the trimmed font when it covers the text.
_STAMP_TEXT: ContextVar[str] = ContextVar("stamp_text", default="")

# What a stamp in Vietnamese needs: Basic Latin and Latin-1, Latin Extended-A (Ă Đ Ĩ Ũ), Ơ ơ Ư ư,
# combining accents, the Vietnamese letters U+1EA0–U+1EF9, dashes and quotes, ‰ ‹ › ₫ € № ™.
# Anything else the full font has (Greek, Cyrillic, other symbols) switches that stamp to the full font.
_STAMP_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x1A0, 0x1A1),
    (0x1AF, 0x1B0),
    (0x300, 0x323),
    (0x1EA0, 0x1EF9),
    (0x2010, 0x2026),
    (0x2030, 0x2030),
    (0x2039, 0x203A),
    (0x20AB, 0x20AC),
    (0x2116, 0x2116),
    (0x2122, 0x2122),
)


@functools.cache
def _full_font() -> tuple[bytes, frozenset[int]]:
    data = FONT_PATH.read_bytes()
    return data, frozenset(ttLib.TTFont(io.BytesIO(data)).getBestCmap())


@functools.cache
def _trimmed_font() -> tuple[bytes, frozenset[int]]:
    """Liberation Serif cut to the stamp's characters, without hinting.

    Each signature embeds a subset of the stamp font, and pyHanko builds it by parsing and subsetting
    the whole font (2,600 glyphs, hinting programs, GSUB/GPOS decompiled): ≈ 70 % of a signature's
    time. On this cut (≈ 500 glyphs; the same outlines, widths, kerning and accent positions) it is a
    fraction of that. Built once per process.
    """
    full, covered = _full_font()
    options = font_subset.Options()
    options.hinting = False
    options.layout_features = ["*"]  # kerning and accent placement as the full font shapes them
    options.drop_tables += ["FFTM"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.legacy_kern = True
    font = ttLib.TTFont(io.BytesIO(full))
    subsetter = font_subset.Subsetter(options=options)
    wanted = {cp for low, high in _STAMP_RANGES for cp in range(low, high + 1)} & covered
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), frozenset(font.getBestCmap())


@dataclass(frozen=True)
class _StampFontFactory(GlyphAccumulatorFactory):
    """pyHanko's font factory on the trimmed font (in memory), the full one for text it lacks."""

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        data, covered = _trimmed_font()
        needed = {ord(char) for char in _STAMP_TEXT.get()} & _full_font()[1]
        if not needed <= covered:
            data = _full_font()[0]
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(data),
            font_size=self.font_size,
            ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag,
            writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )


def _font_factory() -> GlyphAccumulatorFactory:
    return _StampFontFactory(str(FONT_PATH), font_size=_STAMP_FONT_SIZE)


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

    def attempt(bytes_reserved: int | None) -> bytes:
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

        async def sign() -> None:
            await pdf_signer.async_sign_pdf(writer, output=out, bytes_reserved=bytes_reserved)

        try:
            if page_qr is not None:
                _page_qr_draw(writer, page_qr)
            _run(sign)
        except (PdfError, KeyError, TypeError) as exc:
            raise PdfUnreadable(str(exc)) from exc
        return out.getvalue()

    try:
        return attempt(_bytes_reserved(signer, timestamper))
    except SigningError as exc:
        if "larger than expected" not in str(exc):
            raise
        return attempt(None)  # an unusually large time-stamp token: pyHanko measures the container


def _bytes_reserved(signer: signers.Signer, timestamper: timestamps.TimeStamper | None) -> int:
    """Hex digits to reserve for the CMS container in ``/Contents``.

    Without a figure pyHanko builds the whole CMS twice, once to measure it. A fixed generous one (it
    was 16 KiB) is paid by every verification: pyHanko's reader parses the ``/Contents`` hex string
    digit by digit, three times per signature. So: the certificates the container carries plus
    allowances; should it still not fit, ``pdf_sign`` signs again with pyHanko's own measure.
    """
    certificates = [signer.signing_cert, *(signer.cert_registry or ())]
    size = sum(len(cert.dump()) for cert in certificates if cert is not None) + _CMS_ALLOWANCE
    if timestamper is not None:
        size += _TIMESTAMP_ALLOWANCE
    return 2 * size


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
    *,
    trust_roots: list[asn1_x509.Certificate],
    crls: list[asn1_crl.CertificateList] | list[bytes],
    others: list[asn1_x509.Certificate],
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

        async def validate(sig: Any = sig, ctx: ValidationContext = ctx) -> Any:
            return await async_validate_pdf_signature(sig, ctx)

        try:
            status = _run(validate)
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

    token = _STAMP_TEXT.set(note)
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
    finally:
        _STAMP_TEXT.reset(token)
    return out.getvalue()
