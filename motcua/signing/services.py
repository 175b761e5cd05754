"""Signing the result — ký số kết quả giải quyết (step 4 of the five electronic steps).

``result_sign`` is the service behind the registry's action ``sign_result``: in one transaction it
allocates the document number (số văn bản), builds the final PDF, signs it as the leader, seals it as
the organisation (văn thư) in a second incremental revision, and records it through the engine's
``dossier_record_signature`` — then hands the result on to its return when the rules allow it.
``batch_create`` and ``batch_item_sign`` sign many dossiers, each in its own transaction (its own job).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from pyhanko.sign import timestamps
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

from motcua.accounts.models import Account
from motcua.dossiers import rules
from motcua.dossiers.deadlines import local_zone
from motcua.dossiers.errors import (
    DossierConflict,
    DossierError,
    DossierInvalid,
    DossierPermissionDenied,
)
from motcua.dossiers.models import Dossier, DossierResultDocument, SignatureStatus
from motcua.dossiers.services import dossier_mark_result_ready, dossier_record_signature
from motcua.jobs.services import job_enqueue
from motcua.org.models import Unit
from motcua.signing import pades
from motcua.signing.errors import SigningRefused
from motcua.signing.keystore import SignerRef, certificate_usable, crl_revoked_serials, key_store
from motcua.signing.models import (
    BatchItemStatus,
    DocumentNumberCounter,
    SignedResult,
    SigningBatch,
    SigningBatchItem,
)
from motcua.signing.result_source import (
    ResultPdf,
    SignatureBox,
    result_pdf_build,
    signature_stamp_render,
    signing_time_text,
)
from motcua.signing.trust import crl_paths

logger = logging.getLogger(__name__)

SIGN_RESULT = "sign_result"
BATCH_JOB = "signing.batch_item"


def document_number_allocate(*, unit: Unit, year: int) -> int:
    """The next result number of ``unit`` in ``year``; the counter row stays locked until commit."""
    table = connection.ops.quote_name(DocumentNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, year, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (unit_id, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [unit.pk, year],
        )
        (number,) = cursor.fetchone()
    return int(number)


def document_number_format(*, number: int, year: int) -> str:
    """Số, ký hiệu: ``15/2026/KQ`` — numbered per issuing unit and year."""
    return f"{number}/{year}/KQ"


def verification_url(*, code: str, unsigned_sha256: str) -> str:
    """Where the QR code of a signed result leads (the public verification page)."""
    query = urlencode({"ma": code, "h": unsigned_sha256[:16]})
    return f"{settings.MOTCUA_PUBLIC_BASE_URL.rstrip('/')}/xac-thuc?{query}"


def _timestamper() -> timestamps.TimeStamper | None:
    url = settings.MOTCUA_SIGNING_TSA_URL
    # The requests-based client: synchronous, like the rest of a web request (pyHanko's default
    # HTTPTimeStamper runs on aiohttp).
    return RequestsHTTPTimeStamper(url, timeout=10) if url else None


def _pades_box(box: SignatureBox) -> pades.Box:
    return pades.Box(page=box.page, x1=box.x1, y1=box.y1, x2=box.x2, y2=box.y2)


# Where the visible signatures go on a document without boxes (an uploaded draft): bottom of the last
# page, the leader's on the right, the organisation's on the left, apart (A4 portrait, points).
_LEADER_BOX = SignatureBox(page=-1, x1=315, y1=40, x2=565, y2=115)
_SEAL_BOX = SignatureBox(page=-1, x1=40, y1=40, x2=290, y2=115)

_Stamp = tuple[pades.Box, pades.Appearance]


def _stamps(
    *, built: ResultPdf, url: str, now: datetime, signer_name: str, title: str, unit: Unit
) -> tuple[_Stamp, _Stamp, pades.PageQr | None]:
    """The leader's and the organisation's widgets, and the QR code to draw on the page, if any.

    A template result printed the signatures' lines itself (rendered with the signing time): the
    widgets cover them and draw nothing, and the QR code goes in the template's square. An uploaded
    result has no such lines: each widget draws them, set by typst to fit its box, the leader's with the
    QR code at its left.
    """
    if built.signer_box is not None and built.seal_box is not None and built.qr_box is not None:
        return (
            (_pades_box(built.signer_box), pades.Appearance()),
            (_pades_box(built.seal_box), pades.Appearance()),
            pades.PageQr(box=_pades_box(built.qr_box), url=url),
        )
    leader_box, seal_box = _pades_box(_LEADER_BOX), _pades_box(_SEAL_BOX)
    signed_time = signing_time_text(now.astimezone(local_zone()))
    width, height = pades.appearance_text_size(leader_box, with_qr=True)
    leader_text = signature_stamp_render(
        (f"Người ký: {signer_name}", title, unit.name, f"Thời gian ký: {signed_time}", "(Đã ký số)"),
        width=width,
        height=height,
        issued_at=now,
    )
    width, height = pades.appearance_text_size(seal_box, with_qr=False)
    seal_text = signature_stamp_render(
        (f"Cơ quan: {unit.name}", f"Thời gian ký: {signed_time}", "(Chữ ký số của cơ quan)"),
        width=width,
        height=height,
        issued_at=now,
    )
    return (
        (leader_box, pades.Appearance(text_pdf=leader_text, qr_url=url, framed=True)),
        (seal_box, pades.Appearance(text_pdf=seal_text, framed=True)),
        None,
    )


def _precheck(*, actor: Account, dossier: Dossier, row_version: int) -> None:
    """The engine's rule for the signing step, and the signer's, before a number is taken."""
    if dossier.row_version != row_version:
        raise DossierConflict(current_version=dossier.row_version)
    rules.check(rules.Action.RECORD_SIGNATURE, user=actor, dossier=dossier, now=timezone.now())
    message = rules.signer_error(actor, dossier)
    if message:
        raise DossierPermissionDenied(message)


def result_sign(*, actor: Account, dossier: Dossier, row_version: int) -> Dossier:
    """Sign the result digitally — ký số kết quả: number, PDF, leader's signature, organisation's seal.

    One transaction: the number, the signed file, the engine's signature event (and the result-ready
    event when the leader may hand it on) commit together or not at all. A missing key or an expired,
    not yet valid or revoked certificate is a ``DossierInvalid`` on ``signature`` (Vietnamese).
    """
    _precheck(actor=actor, dossier=dossier, row_version=row_version)
    unit = dossier.competent_unit
    now = timezone.now()
    store = key_store()
    leader_ref = SignerRef("leader", actor.username)
    seal_ref = SignerRef("unit", unit.agency_code)
    try:
        revoked = crl_revoked_serials(crl_paths())
        leader, seal = store.signer(leader_ref), store.signer(seal_ref)
        certificate_usable(leader.signing_cert, ref=leader_ref, now=now, revoked=revoked)
        certificate_usable(seal.signing_cert, ref=seal_ref, now=now, revoked=revoked)
    except SigningRefused as exc:
        raise DossierInvalid({"signature": exc.message}) from None
    official = getattr(actor, "official", None)
    title = official.title if official is not None and official.title else "Lãnh đạo"
    year = now.astimezone(local_zone()).year
    with transaction.atomic():
        number = document_number_format(number=document_number_allocate(unit=unit, year=year), year=year)
        built = result_pdf_build(
            dossier=dossier,
            number=number,
            signer=actor,
            issued_on=now.astimezone(local_zone()).date(),
            signed_at=now,
        )
        unsigned_sha256 = hashlib.sha256(built.pdf).hexdigest()
        url = verification_url(code=dossier.code, unsigned_sha256=unsigned_sha256)
        location = settings.MOTCUA_SIGNING_LOCATION
        timestamper = _timestamper()
        leader_stamp, seal_stamp, page_qr = _stamps(
            built=built, url=url, now=now, signer_name=actor.get_full_name(), title=title, unit=unit
        )
        try:
            signed = pades.pdf_sign(
                built.pdf,
                signer=leader,
                field_name="ChuKyLanhDao",
                box=leader_stamp[0],
                appearance=leader_stamp[1],
                page_qr=page_qr,
                signing_time=now,
                reason=f"Ký kết quả giải quyết hồ sơ {dossier.code}, số {number}",
                location=location,
                timestamper=timestamper,
            )
            signed = pades.pdf_sign(
                signed,
                signer=seal,
                field_name="ChuKyCoQuan",
                box=seal_stamp[0],
                appearance=seal_stamp[1],
                signing_time=now,
                reason=f"Chữ ký số của cơ quan trên văn bản số {number}",
                location=location,
                timestamper=timestamper,
            )
        except pades.PdfUnreadable:
            raise DossierInvalid(
                {"signature": "Văn bản kết quả không phải tệp PDF đọc được (hỏng hoặc có mật khẩu)."}
            ) from None
        except (SigningError, OSError) as exc:
            logger.warning("signing %s failed: %s", dossier.code, exc)
            raise DossierInvalid(
                {"signature": f"Không ký số được văn bản kết quả: {exc}. Vui lòng thử lại."}
            ) from None
        d = dossier_record_signature(
            actor=actor,
            dossier=dossier,
            signer=actor,
            signature_reference=number,
            row_version=row_version,
            result_file=ContentFile(signed, name=built.filename),
        )
        document = DossierResultDocument.objects.filter(dossier=d).order_by("-uploaded_at", "-pk").first()
        assert document is not None
        # Signed here with certificates checked just above: verified by construction (the benchmark and
        # the tests verify the bytes with ``verification``; a second check here would double the cost).
        document.signature_status = SignatureStatus.VERIFIED
        document.signature_checked_at = now
        document.save(update_fields=["signature_status", "signature_checked_at"])
        SignedResult.objects.create(
            document=document,
            dossier=d,
            unit=unit,
            number=number,
            unsigned_sha256=unsigned_sha256,
            signer=actor,
            signer_name=actor.get_full_name()[:200],
            signed_at=now,
            timestamped=timestamper is not None,
        )
        # Step 5 (trả kết quả) follows when this was the last signing step and the leader may hand it on.
        if rules.allowed(rules.Action.MARK_RESULT_READY, user=actor, dossier=d, now=timezone.now()):
            d = dossier_mark_result_ready(actor=actor, dossier=d, row_version=d.row_version)
    return d


def result_document_signature_check(*, document: DossierResultDocument) -> str:
    """Check an uploaded result's signatures (signed outside the system) and record what was found."""
    from motcua.signing.verification import document_verify

    try:
        with document.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        return document.signature_status
    report = document_verify(data)
    status = (
        SignatureStatus.VERIFIED
        if report.valid
        else SignatureStatus.UNSIGNED
        if report.unsigned
        else SignatureStatus.INVALID
    )
    DossierResultDocument.objects.filter(pk=document.pk).update(
        signature_status=status, signature_checked_at=timezone.now()
    )
    return status


# --------------------------------------------------------------------------------------------------
# Batch signing (ký số hàng loạt)
# --------------------------------------------------------------------------------------------------


def batch_create(*, actor: Account, dossiers: list[Dossier]) -> SigningBatch:
    """A batch of the chosen dossiers, one job per dossier, committed together.

    Each job signs its dossier in its own transaction (``batch_item_sign``): a failure on one leaves
    the others untouched, a killed worker's job is taken over and run again (the signature and the
    item's outcome commit with the job's completion, so it never signs twice).
    """
    if not dossiers:
        raise DossierInvalid({"dossiers": "Vui lòng chọn ít nhất một hồ sơ để ký số."})
    with transaction.atomic():
        batch = SigningBatch.objects.create(signer=actor)
        for dossier in dossiers:
            item = SigningBatchItem.objects.create(
                batch=batch, dossier=dossier, row_version=dossier.row_version
            )
            job_enqueue(
                name=BATCH_JOB, payload={"item_id": item.pk}, idempotency_key=f"{BATCH_JOB}:{item.pk}"
            )
    return batch


def batch_item_sign(*, item_id: int) -> SigningBatchItem:
    """Sign one dossier of a batch and record the outcome (a Vietnamese message when it failed)."""
    item = SigningBatchItem.objects.select_related("batch__signer", "dossier").get(pk=item_id)
    if item.status != BatchItemStatus.PENDING:
        return item
    from motcua.dossiers.selectors import dossier_relations_attach

    dossier = dossier_relations_attach(Dossier.objects.get(pk=item.dossier_id))
    try:
        with transaction.atomic():
            d = result_sign(actor=item.batch.signer, dossier=dossier, row_version=item.row_version)
    except DossierError as exc:
        item.status, item.message = BatchItemStatus.FAILED, exc.message
    else:
        item.status = BatchItemStatus.SIGNED
        item.document_number = d.signature_reference
        item.message = ""
    item.finished_at = timezone.now()
    item.save(update_fields=["status", "message", "document_number", "finished_at"])
    return item
