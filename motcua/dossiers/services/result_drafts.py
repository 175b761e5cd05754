"""Draft result — dự thảo kết quả: the file the specialist uploads for the approver to read before signing.

Not a state change: the dossier stays where it is. The upload is still written like one — the dossier
row locked and its ``row_version`` checked, the file stored, the hash-chained event
(``upload_result_draft``, internal: no applicant message, no DVCQG sync) appended, all in one
transaction; a rollback removes the stored file (``uploads_removed_on_failure``).
"""

from __future__ import annotations

import hashlib
import io

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from motcua.dossiers import rules
from motcua.dossiers.errors import DossierActionNotAllowed, DossierPermissionDenied
from motcua.dossiers.events import EventKind
from motcua.dossiers.models import Dossier, DossierResultDraft, DossierState
from motcua.dossiers.services.components import stored_upload_track, uploads_removed_on_failure
from motcua.dossiers.services.recording import Actor, dossier_lock, event_record
from motcua.dossiers.services.result import _result_pdf
from motcua.org.models import Role

# Who writes the draft (the specialist appraising) and who may correct it before signing (the leader).
DRAFT_ROLES = (Role.SPECIALIST, Role.DIVISION_HEAD, Role.LEADER)
# While the dossier is being processed; once signed the result is final.
_DRAFT_STATES = frozenset({DossierState.ACCEPTED, DossierState.PROCESSING})


def result_draft_may_upload(*, user: Actor, dossier: Dossier) -> bool:
    """Whether ``user`` may upload the draft result now (the page shows the form only then)."""
    return (
        dossier.state in _DRAFT_STATES
        and dossier.signed_at is None
        and any(rules.has_role(user, dossier.current_unit, role) for role in DRAFT_ROLES)
    )


def dossier_result_draft_upload(
    *, actor: Actor, dossier: Dossier, row_version: int, file: File
) -> DossierResultDraft:
    """Upload or replace the draft result of ``dossier`` (PDF; a JPEG/PNG scan is converted to PDF).

    Only an official holding the specialist, division-head or leader role in the dossier's current
    unit, while it is processed and not yet signed. The file passes ``core.uploads.upload_check``;
    a refusal is ``DossierInvalid({"file": …})`` and changes nothing. The previous draft's file is
    deleted once the transaction commits (its SHA-256 stays in the audit trail).
    """
    old_name = ""
    with uploads_removed_on_failure(), transaction.atomic():
        d = dossier_lock(dossier, row_version=row_version)
        if not any(rules.has_role(actor, d.current_unit, role) for role in DRAFT_ROLES):
            raise DossierPermissionDenied(
                f"Chỉ chuyên viên, trưởng phòng hoặc lãnh đạo của {d.current_unit.name} được tải lên "
                "dự thảo kết quả."
            )
        if d.state not in _DRAFT_STATES or d.signed_at is not None:
            raise DossierActionNotAllowed(
                "Chỉ tải lên dự thảo kết quả khi hồ sơ đang được xử lý và chưa ký số."
            )
        data, name = _result_pdf(file, field="file")
        now = timezone.now()
        sha256 = hashlib.sha256(data).hexdigest()
        draft = DossierResultDraft.objects.filter(dossier=d).first()
        if draft is None:
            draft = DossierResultDraft(dossier=d)
        elif draft.file:
            old_name = draft.file.name or ""
        draft.name, draft.sha256, draft.size = name[:255], sha256, len(data)
        draft.uploaded_by, draft.uploaded_at = actor, now
        draft.file.save(name, File(io.BytesIO(data), name=name), save=False)
        stored_upload_track(draft.file.storage, draft.file.name or "")
        draft.save()
        event_record(
            d,
            kind=EventKind.UPLOAD_RESULT_DRAFT,
            actor=actor,
            unit=d.current_unit,
            now=now,
            data={"sha256": sha256, "name": draft.name, "size": draft.size, "replaced": bool(old_name)},
        )
        if old_name:
            storage = draft.file.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    dossier.row_version = d.row_version
    return draft
