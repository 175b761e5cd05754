"""Jobs of personal-data protection: the daily purge past retention."""

from __future__ import annotations

from datetime import time

from motcua.jobs.periodic import periodic
from motcua.jobs.registry import JobContext
from motcua.privacy.services import personal_data_purge

PURGE_JOB = "privacy.purge"


# At night, after the drafts' own expiry (02:00). Not atomic: each batch commits on its own, so a
# large first purge holds no long lock and a crash keeps what was already deleted.
@periodic(PURGE_JOB, at=time(2, 30), atomic=False)
def personal_data_purge_daily(ctx: JobContext) -> None:
    """``motcua purge-personal-data``, daily."""
    personal_data_purge()
