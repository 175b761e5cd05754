"""The portal's part of personal-data protection (``motcua.privacy.registry``): drafts.

An unsubmitted draft (hồ sơ đang soạn) is deleted ``MOTCUA_DRAFT_EXPIRY_DAYS`` after its last change,
its uploads with it; the daily purge runs the same deletion as the portal's own nightly job, so a
missed night is caught up. A submitted draft belongs to its dossier and is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua.portal.models import SubmissionDraft
from motcua.portal.services import drafts_expired_delete
from motcua.privacy.registry import Subject, export_section, retention_rule


@export_section("drafts")
def drafts_export(subject: Subject) -> list[dict[str, Any]]:
    if subject.account is None:
        return []
    drafts = (
        SubmissionDraft.objects.filter(owner=subject.account, dossier__isnull=True)
        .select_related("procedure")
        .prefetch_related("components")
        .order_by("created_at")
    )
    return [
        {
            "procedure": d.procedure.code,
            "step": d.step,
            "applicant": d.applicant,
            "answers": d.answers,
            "components": [c.file_name for c in d.components.all() if c.file_name],
            "created_at": d.created_at,
            "updated_at": d.updated_at,
            "expires_at": d.expires_at,
        }
        for d in drafts
    ]


@retention_rule("portal.drafts", label="Hồ sơ đang soạn chưa nộp", setting="MOTCUA_DRAFT_EXPIRY_DAYS")
def drafts_purge(*, now: datetime, dry_run: bool) -> int:
    if dry_run:
        return SubmissionDraft.objects.filter(dossier__isnull=True, expires_at__lte=now).count()
    return drafts_expired_delete(now=now)
