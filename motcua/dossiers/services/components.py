"""Components — thành phần hồ sơ: the checklist of a receipt or a supplement, and the scans stored with it.

Every file goes through ``core.uploads.upload_check`` first (kind from the content, images re-encoded,
PDFs opened; the one check of every channel), all of a write's files before the first is stored, so a
refused file leaves nothing behind. File storage is not transactional, so the files a failed
transaction stored are removed with it (``uploads_removed_on_failure``).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.core.files import File
from django.core.files.storage import Storage

from motcua.catalog.models import Procedure, ProcedureDocument
from motcua.core.text import nfc
from motcua.core.uploads import CheckedUpload, UploadRefused, upload_check
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.services.inputs import ComponentData

logger = logging.getLogger(__name__)


_stored_uploads: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("stored_uploads", default=None)


@contextmanager
def uploads_removed_on_failure() -> Iterator[None]:
    """Delete the files stored inside the block when the block fails, i.e. its transaction rolls back.

    File storage is not transactional: without this, a receipt that fails after saving its scans
    (a conflict, a bad field further down) leaves files no row points at. Wrap each transaction that
    stores uploads. Nested blocks hand their files to the enclosing one when they succeed, so a
    failure of the outer transaction removes them too.
    """
    outer = _stored_uploads.get()
    mine: list[tuple[Storage, str]] = []
    token = _stored_uploads.set(mine)
    try:
        yield
    except BaseException:
        for storage, name in mine:
            try:
                storage.delete(name)
            except Exception:  # the original error matters more; the file is logged for cleanup
                logger.exception("Không xoá được tệp %s của giao dịch đã huỷ", name)
        raise
    finally:
        _stored_uploads.reset(token)
    if outer is not None:
        outer.extend(mine)


def stored_upload_track(storage: Storage, name: str) -> None:
    """Register a file just stored so that the enclosing ``uploads_removed_on_failure`` removes it."""
    stored = _stored_uploads.get()
    if stored is not None:
        stored.append((storage, name))


def _checked(upload: File, *, field: str) -> CheckedUpload:
    try:
        return upload_check(upload)
    except UploadRefused as exc:
        raise DossierInvalid({field: exc.message}) from None


def _sha256_and_store(component: DossierComponent, upload: CheckedUpload) -> None:
    """Store a checked upload through Django's storage and keep its SHA-256 (integrity of the copy)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    component.file_sha256 = digest.hexdigest()
    component.file.save(os.path.basename(upload.name or "tep-dinh-kem"), upload, save=False)
    stored_upload_track(component.file.storage, component.file.name or "")


def components_missing(
    procedure: Procedure, components: Sequence[ComponentData], *, electronic: bool
) -> list[ProcedureDocument]:
    """The required catalogue documents (``ProcedureDocument.required``) that ``components`` do not provide.

    At a counter a document is provided when its paper is presented or its scan attached; online the
    applicant's list is the submission (``electronic``), as DVCQG's TaiLieuNop.
    """
    provided = {
        item.document_id
        for item in components
        if item.document_id is not None and (electronic or item.paper_presented or item.file is not None)
    }
    return [doc for doc in procedure.documents.all() if doc.required and doc.pk not in provided]


def components_complete_check(
    procedure: Procedure, components: Sequence[ComponentData], *, electronic: bool
) -> None:
    """Refuse a receipt whose dossier lacks a required component — hồ sơ chưa đầy đủ (docs/domain.md §4.5).

    ``DossierInvalid`` names every missing document, one field each (``components.document_<order>``),
    with a summary on ``components``. A dossier must also hold at least one component: a procedure
    whose catalogue lists no documents is received with the components the officer records by name.
    """
    missing = components_missing(procedure, components, electronic=electronic)
    if missing:
        listed = "; ".join(f"{doc.order}. {nfc(doc.name)}" for doc in missing)
        # Online the applicant reads it; at the counter the officer, who is told what to do instead.
        then = (
            "Vui lòng nộp đủ các thành phần này."
            if electronic
            else "Hướng dẫn người nộp bổ sung, hoàn thiện hồ sơ (mẫu 02) hoặc từ chối tiếp nhận (mẫu 03)."
        )
        errors = {
            "components": f"Hồ sơ còn thiếu {len(missing)} thành phần bắt buộc nên chưa thể tiếp nhận: "
            f"{listed}. {then}"
        }
        for doc in missing:
            errors[f"components.document_{doc.order}"] = f"Thiếu thành phần bắt buộc: {nfc(doc.name)}."
        raise DossierInvalid(errors)
    given = [
        item
        for item in components
        if (item.document_id is None and nfc(item.name))
        or (item.document_id is not None and (electronic or item.paper_presented or item.file is not None))
    ]
    if not given:
        if procedure.documents.all():
            message = "Hồ sơ chưa có thành phần nào: vui lòng đánh dấu giấy tờ người nộp đã xuất trình."
        else:
            message = (
                "Danh mục chưa công bố thành phần hồ sơ của thủ tục này: vui lòng ghi tên ít nhất một "
                "giấy tờ người nộp đã nộp."
            )
        raise DossierInvalid({"components": message})


def components_create(
    d: Dossier, *, procedure: Procedure, components: Sequence[ComponentData], now: datetime, supplement: bool
) -> list[DossierComponent]:
    """The checklist of the catalogue's documents (not for a supplement) plus what the applicant brought."""
    documents = {doc.pk: doc for doc in procedure.documents.all()}
    given: dict[int, ComponentData] = {}
    extras: list[ComponentData] = []
    for item in components:
        if item.document_id is None:
            if not nfc(item.name):
                raise DossierInvalid({"components": "Thành phần hồ sơ bổ sung ngoài danh mục phải có tên."})
            extras.append(item)
        elif item.document_id not in documents:
            raise DossierInvalid({"components": "Thành phần hồ sơ không thuộc thủ tục này."})
        else:
            given[item.document_id] = item
    start = (d.components.count() if supplement else 0) + 1
    rows: list[tuple[DossierComponent, ComponentData | None]] = []
    picked: list[tuple[ProcedureDocument, ComponentData | None]]
    if supplement:
        picked = [(documents[k], v) for k, v in given.items()]
    else:
        picked = [(doc, given.get(doc.pk)) for doc in documents.values()]
    for doc, given_item in picked:
        rows.append(
            (
                DossierComponent(
                    dossier=d,
                    catalog_document=doc,
                    name=doc.name,
                    required=doc.required,
                    copies=doc.copies,
                    paper_presented=bool(given_item and given_item.paper_presented),
                    is_supplement=supplement,
                ),
                given_item,
            )
        )
    for extra in extras:
        rows.append(
            (
                DossierComponent(
                    dossier=d,
                    name=nfc(extra.name),
                    required=False,
                    paper_presented=extra.paper_presented,
                    is_supplement=supplement,
                ),
                extra,
            )
        )
    # Every file checked before the first is stored: a refusal leaves no file to clean up.
    checked = {
        id(source): _checked(source.file, field=f"components.{index}")
        for index, source in enumerate(components)
        if source.file is not None
    }
    created = []
    for offset, (component, source) in enumerate(rows):
        component.order = start + offset
        if source is not None and source.file is not None:
            _sha256_and_store(component, checked[id(source)])
            component.uploaded_at = now
        created.append(component)
    # One INSERT for all rows (primary keys come back on PostgreSQL and SQLite ≥ 3.35).
    return DossierComponent.objects.bulk_create(created)
