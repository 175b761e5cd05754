"""Writes of the personal data store — kho quản lý dữ liệu điện tử (docs/domain.md "Kho dữ liệu").

Documents reach the store three ways: the applicant uploads one (``stored_document_upload``); the
subscriber collects the files of each dossier the applicant submitted (``stored_documents_collect``,
pointing at the component's own file: no second copy of the bytes); and the result of a returned
dossier is recorded as issued to them (``stored_result_record``), pointing at the signed result file
recorded at the signing step when there is one (``DossierResultDocument``; again no copy). Issued
results cannot be deleted by the applicant.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from motcua.accounts.models import Account
from motcua.core.text import nfc
from motcua.core.uploads import UploadRefused, size_text, upload_check
from motcua.datastore.errors import DatastoreInvalid
from motcua.datastore.models import (
    CountKind,
    DailyDossierCount,
    DocumentOrigin,
    DocumentReuse,
    StoredDocument,
)
from motcua.dossiers.deadlines import local_zone
from motcua.dossiers.models import Dossier, DossierComponent, DossierResultDocument

logger = logging.getLogger(__name__)

MAX_NAME = 500
MAX_ISSUER = 300


def upload_limit_check(upload: File, *, field: str) -> None:
    """The portal's per-file limit (``MOTCUA_PORTAL_UPLOAD_MAX_BYTES``, 10 MB), before the content check."""
    limit = settings.MOTCUA_PORTAL_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        name = os.path.basename(upload.name or "") or "tệp"
        raise DatastoreInvalid({field: f"Tệp «{name}» lớn hơn {size_text(limit)} (giới hạn mỗi tệp)."})


def stored_document_upload(
    *,
    owner: Account,
    name: str,
    file: File | None,
    issuer: str = "",
    issued_on: date | str | None = None,
    valid_until: date | str | None = None,
) -> StoredDocument:
    """Add a document the applicant uploads to their store: type, file, issuer and validity checked.

    Dates may come as ISO text from a form (``""``: none); every mistake is reported at once.
    """
    errors: dict[str, str] = {}
    issued_on = _date(issued_on, field="issued_on", label="Ngày cấp", errors=errors)
    valid_until = _date(valid_until, field="valid_until", label="Ngày hết hiệu lực", errors=errors)
    name = nfc(name or "")
    issuer = nfc(issuer or "")
    if not name:
        errors["name"] = "Vui lòng nhập loại giấy tờ."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Loại giấy tờ dài quá {MAX_NAME} ký tự."
    if len(issuer) > MAX_ISSUER:
        errors["issuer"] = f"Cơ quan cấp dài quá {MAX_ISSUER} ký tự."
    if issued_on and issued_on > timezone.localdate():
        errors["issued_on"] = "Ngày cấp không được sau hôm nay."
    if issued_on and valid_until and valid_until < issued_on:
        errors["valid_until"] = "Ngày hết hiệu lực phải sau ngày cấp."
    checked = None
    if file is None:
        errors["file"] = "Vui lòng chọn tệp PDF, JPEG hoặc PNG."
    else:
        try:
            upload_limit_check(file, field="file")
            checked = upload_check(file)
        except DatastoreInvalid as exc:
            errors |= exc.errors
        except UploadRefused as exc:
            errors["file"] = exc.message
    if errors:
        raise DatastoreInvalid(errors)
    assert checked is not None
    doc = StoredDocument(
        owner=owner,
        origin=DocumentOrigin.UPLOADED,
        name=name,
        issuer=issuer,
        issued_on=issued_on,
        valid_until=valid_until,
        file_sha256=_sha256(checked),
    )
    doc.file.save(os.path.basename(checked.name or "tep"), checked, save=False)
    try:
        with transaction.atomic():
            doc.save()
    except BaseException:
        doc.file.delete(save=False)
        raise
    return doc


def _date(value: date | str | None, *, field: str, label: str, errors: dict[str, str]) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = f"{label} không đúng định dạng (ngày/tháng/năm)."
        return None


def _sha256(upload: File) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def stored_document_delete(*, owner: Account, document_id: int) -> None:
    """Delete one of the owner's documents; an issued result is refused (``DatastoreInvalid``).

    ``StoredDocument.DoesNotExist`` for a document of someone else. The bytes of an upload to the store
    go with it; a document collected from a dossier shares the dossier's file, which stays.
    """
    with transaction.atomic():
        doc = StoredDocument.objects.select_for_update().get(owner=owner, pk=document_id)
        if not doc.deletable:
            raise DatastoreInvalid(
                {"document": "Không thể xoá kết quả giải quyết do cơ quan nhà nước cấp khỏi kho dữ liệu."}
            )
        own_file = doc.origin == DocumentOrigin.UPLOADED and bool(doc.file)
        storage, file_name = doc.file.storage, doc.file.name
        doc.delete()
    if own_file and file_name:
        transaction.on_commit(lambda: storage.delete(file_name))


def stored_documents_collect(*, dossier_id: int) -> list[StoredDocument]:
    """Keep the files of a dossier's components in its applicant's store (idempotent per component).

    A component whose file has the same content as a document the applicant already holds (a reused
    document) adds nothing.
    """
    dossier = Dossier.objects.filter(pk=dossier_id).select_related("applicant_user").first()
    if dossier is None or dossier.applicant_user_id is None:
        return []
    owner_id = dossier.applicant_user_id
    components = list(
        DossierComponent.objects.filter(dossier_id=dossier_id).exclude(file="").order_by("order")
    )
    known = set(
        StoredDocument.objects.filter(owner_id=owner_id)
        .exclude(file_sha256="")
        .values_list("file_sha256", flat=True)
    )
    # A component filled from the store is already there (its bytes may differ: images are re-encoded).
    reused = set(DocumentReuse.objects.filter(dossier_id=dossier_id).values_list("component_name", flat=True))
    collected_ids = set(
        StoredDocument.objects.filter(source_component__in=components).values_list(
            "source_component_id", flat=True
        )
    )
    created = []
    for component in components:
        if (
            component.pk in collected_ids
            or component.name[:MAX_NAME] in reused
            or (component.file_sha256 and component.file_sha256 in known)
        ):
            continue
        created.append(
            StoredDocument(
                owner_id=owner_id,
                origin=DocumentOrigin.DOSSIER,
                name=component.name[:MAX_NAME],
                file=component.file.name,  # the component's own bytes: no copy
                file_sha256=component.file_sha256,
                issued_on=(component.uploaded_at or dossier.submitted_at).astimezone(local_zone()).date(),
                source_dossier=dossier,
                source_component=component,
            )
        )
        known.add(component.file_sha256)
    StoredDocument.objects.bulk_create(created)
    return created


def stored_result_record(*, dossier_id: int) -> StoredDocument | None:
    """Record the result issued to the applicant of a returned dossier (once per dossier)."""
    dossier = Dossier.objects.filter(pk=dossier_id).select_related("procedure", "competent_unit").first()
    if dossier is None or dossier.applicant_user_id is None:
        return None
    existing = StoredDocument.objects.filter(source_dossier=dossier, origin=DocumentOrigin.RESULT).first()
    if existing is not None:
        return existing
    name = nfc(dossier.procedure.result or "") or f"Kết quả giải quyết thủ tục {dossier.procedure.name}"
    issued = dossier.returned_at or dossier.finished_at or timezone.now()
    # The latest signed result file, if the signing step recorded one: referenced, not copied.
    result = DossierResultDocument.objects.filter(dossier=dossier).order_by("-uploaded_at", "-pk").first()
    try:
        with transaction.atomic():
            doc = StoredDocument.objects.create(
                owner_id=dossier.applicant_user_id,
                origin=DocumentOrigin.RESULT,
                name=name[:MAX_NAME],
                issuer=dossier.competent_unit.name[:MAX_ISSUER],
                issued_on=issued.astimezone(local_zone()).date(),
                file=result.file.name if result is not None else "",
                file_sha256=result.sha256 if result is not None else "",
                source_dossier=dossier,
            )
            _count_add(CountKind.RESULT, doc.created_at, dossier.competent_unit_id)
            return doc
    except IntegrityError:  # a concurrent retry recorded it first
        return StoredDocument.objects.get(source_dossier=dossier, origin=DocumentOrigin.RESULT)


@dataclass(frozen=True)
class Reuse:
    """One stored document used for one component of a new dossier."""

    document: StoredDocument
    component_name: str


def document_reuses_record(*, dossier: Dossier, reuses: Sequence[Reuse]) -> list[DocumentReuse]:
    """Count the reuses of a submission (called inside the caller's submission transaction).

    Idempotent: a retried submission that returns the same dossier adds no second count.
    """
    if not reuses:
        return []
    done = set(DocumentReuse.objects.filter(dossier=dossier).values_list("component_name", flat=True))
    rows = [
        DocumentReuse(dossier=dossier, document=r.document, component_name=r.component_name[:MAX_NAME])
        for r in reuses
        if r.component_name[:MAX_NAME] not in done
    ]
    DocumentReuse.objects.bulk_create(rows)
    if rows and not done:
        # A dossier counts once, on the day of its first reuse (indicator 4.4).
        _count_add(CountKind.REUSE, timezone.now(), dossier.competent_unit_id)
    return rows


def _count_add(kind: CountKind, at: datetime, unit_id: int) -> None:
    with transaction.atomic():
        row, _ = DailyDossierCount.objects.get_or_create(
            day=at.astimezone(local_zone()).date(), unit_id=unit_id, kind=kind
        )
        DailyDossierCount.objects.filter(pk=row.pk).update(count=F("count") + 1)


def dossier_counts_rebuild(*, since: date | None = None) -> None:
    """Recompute ``DailyDossierCount`` (from ``since`` on, or all) from the results kept in the store
    and the reuses — what ``reports-rebuild`` does for indicators 4.4 and 4.5. Call inside the
    rebuild's transaction."""
    start = datetime.combine(since, time.min, tzinfo=local_zone()) if since is not None else None
    counts = DailyDossierCount.objects.all()
    results = StoredDocument.objects.filter(origin=DocumentOrigin.RESULT, source_dossier__isnull=False)
    reuses = DocumentReuse.objects.all()
    if since is not None:
        counts = counts.filter(day__gte=since)
        results = results.filter(created_at__gte=start)
    counts.delete()
    per_day: dict[tuple[date, int, str], int] = {}
    for row in (
        results.annotate(day=TruncDate("created_at", tzinfo=local_zone()))
        .values("day", "source_dossier__competent_unit_id")
        .order_by()
        .annotate(n=Count("pk"))
    ):
        key = (row["day"], row["source_dossier__competent_unit_id"], CountKind.RESULT.value)
        per_day[key] = per_day.get(key, 0) + row["n"]
    firsts = (
        reuses.values("dossier_id", "dossier__competent_unit_id").order_by().annotate(first=Min("created_at"))
    )
    if start is not None:
        firsts = firsts.filter(first__gte=start)
    for row in firsts.iterator(chunk_size=20_000):
        key = (
            row["first"].astimezone(local_zone()).date(),
            row["dossier__competent_unit_id"],
            CountKind.REUSE,
        )
        per_day[key] = per_day.get(key, 0) + 1
    DailyDossierCount.objects.bulk_create(
        [DailyDossierCount(day=d, unit_id=u, kind=k, count=n) for (d, u, k), n in sorted(per_day.items())],
        batch_size=5_000,
    )
