"""Jobs of the portal: dropping online submission drafts past their expiry (run daily)."""

from __future__ import annotations

from datetime import time

from django.utils import timezone

from motcua.jobs.periodic import periodic
from motcua.jobs.registry import JobContext
from motcua.portal.services import drafts_expired_delete

DRAFTS_EXPIRE_JOB = "portal.drafts_expire"


# At night: deleting files is I/O no one waits for.
@periodic(DRAFTS_EXPIRE_JOB, at=time(2, 0), atomic=False)
def drafts_expire(ctx: JobContext) -> None:
    """Delete drafts untouched for ``MOTCUA_DRAFT_EXPIRY_DAYS`` (their uploads with them)."""
    drafts_expired_delete(now=timezone.now())
