"""Jobs of the signing extension (auto-imported by ``jobs``)."""

from __future__ import annotations

from motcua.jobs.registry import JobContext, job_handler
from motcua.signing.services import BATCH_JOB, batch_item_sign


@job_handler(BATCH_JOB, atomic=True)
def batch_item(ctx: JobContext) -> None:
    """One dossier of a batch: signed and its outcome recorded in the job's own transaction."""
    batch_item_sign(item_id=int(ctx.payload["item_id"]))
