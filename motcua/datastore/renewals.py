"""Proactive service — dịch vụ công chủ động: reminders before a stored document's validity ends.

Daily, ``renewal_reminders_enqueue`` finds the documents whose validity ends within
``MOTCUA_RENEWAL_REMINDER_DAYS`` and enqueues one reminder job per (document, expiry date): the job's
idempotency key is that pair, so running the scan again (the same day, the next day, twice at once)
never reminds twice, while a renewed document with a new expiry gets its own reminder. The job
e-mails the owner with a one-click link that starts the renewal (the procedure that issued the
document) with a draft prefilled from the store.
"""

from __future__ import annotations

import logging
from datetime import date, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from motcua.catalog.selectors import procedure_online_eligibility
from motcua.datastore.models import StoredDocument
from motcua.datastore.selectors import documents_expiring
from motcua.jobs.periodic import periodic
from motcua.jobs.registry import JobContext, job_handler
from motcua.jobs.services import job_enqueue

logger = logging.getLogger(__name__)

REMINDER_JOB = "datastore.renewal_reminder"
SCAN_JOB = "datastore.renewal_scan"


def renewal_url(document: StoredDocument) -> str:
    """Where the reminder's one click goes: the renewal procedure's start page with the document, or ""
    when the store does not know which procedure renews it (an upload of the applicant's own)."""
    dossier = document.source_dossier
    if dossier is None:
        return ""
    start = reverse("portal:submit_start", args=[dossier.procedure.code])
    return f"{start}?gia-han={document.pk}"


def renewal_reminders_enqueue(*, today: date) -> int:
    """Enqueue the reminders due today (one per document and expiry date, ever); return how many are new.

    The function to run daily (``motcua send-renewal-reminders``, or the job ``datastore.renewal_scan``).
    """
    horizon = today + timedelta(days=settings.MOTCUA_RENEWAL_REMINDER_DAYS)
    created = 0
    with transaction.atomic():
        for document in documents_expiring(on_or_before=horizon, today=today):
            assert document.valid_until is not None
            _, new = job_enqueue(
                name=REMINDER_JOB,
                payload={"document_id": document.pk, "valid_until": document.valid_until.isoformat()},
                idempotency_key=f"renewal:{document.pk}:{document.valid_until.isoformat()}",
            )
            created += int(new)
    return created


# 06:30: before the officials' digest (07:00) and the working day, so a reminder is there in the morning.
@periodic(SCAN_JOB, at=time(6, 30))
def renewal_scan(ctx: JobContext) -> None:
    """The daily scan, run by the job queue's periodic schedule."""
    from django.utils import timezone

    renewal_reminders_enqueue(today=timezone.localdate())


@job_handler(REMINDER_JOB, atomic=False)
def renewal_reminder_send(ctx: JobContext) -> None:
    """E-mail the owner that the document's validity ends soon, with the renewal link."""
    document = (
        StoredDocument.objects.filter(pk=ctx.payload["document_id"])
        .select_related("owner", "source_dossier__procedure")
        .first()
    )
    if document is None or document.valid_until is None:
        return  # deleted meanwhile
    if document.valid_until.isoformat() != ctx.payload["valid_until"]:
        return  # its validity changed: a reminder for the new date comes with its own job
    owner = document.owner
    if not owner.email:
        logger.info("Nhắc gia hạn: tài khoản %s không có thư điện tử", owner.pk)
        return
    base = settings.MOTCUA_PUBLIC_BASE_URL.rstrip("/")
    url = renewal_url(document)
    if url and document.source_dossier is not None:
        eligibility = procedure_online_eligibility(document.source_dossier.procedure)
        action = (
            f"Nộp hồ sơ gia hạn, cấp lại trực tuyến (thông tin được điền sẵn từ kho dữ liệu):\n{base}{url}"
            if eligibility.allowed
            else f"Thủ tục cấp lại chưa nhận hồ sơ trực tuyến. {eligibility.reason}"
        )
    else:
        action = "Vui lòng tra cứu thủ tục cấp lại, gia hạn trên Hệ thống thông tin giải quyết TTHC tỉnh."
    body = (
        f"Kính gửi Ông/Bà {owner.full_name},\n\n"
        f"Giấy tờ «{document.name}» trong kho dữ liệu điện tử của Ông/Bà hết hiệu lực ngày "
        f"{document.valid_until:%d/%m/%Y}.\n\n{action}\n\n"
        f"Kho dữ liệu của Ông/Bà: {base}{reverse('portal:datastore')}\n"
    )
    EmailMessage(
        subject=f"Giấy tờ sắp hết hiệu lực: {document.name}"[:200],
        body=body,
        to=[owner.email],
        headers={"Message-ID": f"<{ctx.idempotency_key.replace(':', '.')}@motcua>"},
    ).send(fail_silently=False)
