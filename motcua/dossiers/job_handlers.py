"""Jobs of the dossier engine: the daily seal of the audit log (``dossiers.sealing``)."""

from __future__ import annotations

from datetime import time

from motcua.dossiers.sealing import SEAL_JOB, audit_seal_create
from motcua.jobs.periodic import periodic
from motcua.jobs.registry import JobContext


# Just after midnight: the seal published for a day covers everything recorded up to its end.
@periodic(SEAL_JOB, at=time(0, 10), atomic=False)
def audit_seal(ctx: JobContext) -> None:
    """Seal the chain heads that grew since yesterday's seal (a broken chain is logged, left out)."""
    audit_seal_create()
