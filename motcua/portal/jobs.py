"""Jobs of the portal: dropping online submission drafts past their expiry (run daily)."""

from __future__ import annotations

from django.utils import timezone

from motcua.jobs.registry import JobContext, job_handler
from motcua.portal.services import drafts_expired_delete

DRAFTS_EXPIRE_JOB = "portal.drafts_expire"


@job_handler(DRAFTS_EXPIRE_JOB, atomic=False)
def drafts_expire(ctx: JobContext) -> None:
    """Delete drafts untouched for ``MOTCUA_DRAFT_EXPIRY_DAYS`` (their uploads with them)."""
    drafts_expired_delete(now=timezone.now())
