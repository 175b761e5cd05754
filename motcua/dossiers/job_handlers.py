"""Handlers of the jobs the dossier engine enqueues — placeholders until their owners take them over.

The engine only promises *that* a job is enqueued with the state change (transactional outbox). The
notification app (SMS, e-mail, Zalo) will own ``dossier.notify_applicant`` and the integration app
``dvcqg.sync``; until then these handlers log the delivery so the outbox drains in development.
Move a handler to its owner by deleting it here (the registry refuses two handlers for one name).
"""

from __future__ import annotations

import logging

from motcua.jobs.services import JobContext, job_handler

logger = logging.getLogger(__name__)


@job_handler("dossier.notify_applicant", atomic=False)
def notify_applicant(ctx: JobContext) -> None:
    """Tell the applicant what happened (receipt, supplement request, result ready…)."""
    logger.info(
        "Thông báo cho người nộp hồ sơ %s: %s (trạng thái %s)",
        ctx.payload.get("code"),
        ctx.payload.get("action"),
        ctx.payload.get("status"),
    )


@job_handler("dvcqg.sync", atomic=False)
def dvcqg_sync(ctx: JobContext) -> None:
    """Send ``DongBoHoSoMC`` to the national portal (seam: the integration app replaces this)."""
    data = ctx.payload.get("data", {})
    logger.info(
        "Đồng bộ DVCQG (chưa kết nối): %s trạng thái %s", data.get("MaHoSo"), data.get("TrangThaiHoSo")
    )
