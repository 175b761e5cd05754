"""Handlers of the jobs the dossier engine enqueues.

The engine only promises *that* a job is enqueued with the state change (transactional outbox).
``dossier.notify_applicant`` e-mails the applicant (``notifications``); SMS and Zalo channels join it
with their adapters. ``dvcqg.sync`` is a seam for the DVCQG integration, which replaces it with the
real ``DongBoHoSoMC`` call (the registry refuses two handlers for one name): until then it logs.
"""

from __future__ import annotations

import logging

from motcua.dossiers.models import Dossier
from motcua.dossiers.notifications import applicant_message_build, applicant_message_send
from motcua.dossiers.services import DVCQG_SYNC_JOB, NOTIFY_JOB
from motcua.jobs.services import JobContext, job_handler

logger = logging.getLogger(__name__)


@job_handler(NOTIFY_JOB, atomic=False)
def notify_applicant(ctx: JobContext) -> None:
    """Tell the applicant what happened (receipt, supplement request, result ready…) by e-mail."""
    dossier = Dossier.objects.select_related("procedure").filter(pk=int(ctx.payload["dossier_id"])).first()
    if dossier is None:  # the dossier is gone (never in production: events protect it)
        logger.warning("Thông báo: không còn hồ sơ %s", ctx.payload.get("code"))
        return
    message = applicant_message_build(
        dossier=dossier, payload=ctx.payload, idempotency_key=ctx.idempotency_key
    )
    if message is None:
        logger.info("Thông báo %s: người nộp không có thư điện tử", dossier.code)
        return
    applicant_message_send(message)


@job_handler(DVCQG_SYNC_JOB, atomic=False)
def dvcqg_sync(ctx: JobContext) -> None:
    """Send ``DongBoHoSoMC`` to the national portal (seam: the integration app replaces this)."""
    data = ctx.payload.get("data", {})
    logger.info(
        "Đồng bộ DVCQG (chưa kết nối): %s trạng thái %s", data.get("MaHoSo"), data.get("TrangThaiHoSo")
    )
