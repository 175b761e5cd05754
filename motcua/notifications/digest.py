"""Officials' daily digest — thư tổng hợp hằng ngày cho cán bộ.

Each working day at 07:00 (``job_handlers.officials_digest``, a periodic job of ``motcua.jobs``) every
active official with an e-mail address and an active role gets one e-mail listing the dossiers of their
queue — assigned to them ("của tôi") or waiting for their role in their units ("chờ nhận") — whose
clock runs and that are overdue or due within one working day. No such dossier, no e-mail. Each
official's e-mail is sent once per day (a ``ChannelDelivery`` keyed by day and official), however
often the job is retried.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from motcua.accounts.models import Account, AccountKind
from motcua.dossiers.deadlines import due_soon_threshold, format_local
from motcua.dossiers.selectors import MAX_PAGE_SIZE, QueueItem, dossier_queue
from motcua.notifications.channels import channel_send

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Digest:
    """What one official's digest lists (items already filtered: overdue or due soon)."""

    official: Account
    overdue: list[QueueItem]
    due_soon: list[QueueItem]
    more: int  # rows beyond the page read (the queue is longer than a digest should be)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon)


def _officials() -> QuerySet[Account]:
    return (
        Account.objects.filter(
            kind=AccountKind.OFFICIAL,
            is_active=True,
            official__assignments__is_active=True,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def official_digest_build(*, official: Account, now: datetime) -> Digest:
    """The official's overdue and due-within-one-working-day dossiers, mine then pool, by due time."""
    seen: set[int] = set()
    overdue: list[QueueItem] = []
    due_soon: list[QueueItem] = []
    more = 0
    threshold = due_soon_threshold(now=now)
    for scope in ("mine", "pool"):
        # Everything due before one working day from now (overdue included), most urgent first; the
        # queue's own flags then say which are overdue or due soon (and whether the clock runs at all).
        page = dossier_queue(user=official, scope=scope, due_before=threshold, page_size=MAX_PAGE_SIZE)
        more += page.total - len(page.items)
        for item in page.items:
            if item.dossier.pk in seen:
                continue
            seen.add(item.dossier.pk)
            if item.overdue:
                overdue.append(item)
            elif item.due_soon:
                due_soon.append(item)
    return Digest(official=official, overdue=overdue, due_soon=due_soon, more=more)


def _line(item: QueueItem) -> str:
    d = item.dossier
    link = settings.MOTCUA_PUBLIC_BASE_URL + reverse("backoffice:dossier_detail", args=[d.code])
    due = format_local(d.due_at) if d.due_at else ""
    return (
        f"  - {d.code} — {d.procedure.name}\n    Người nộp: {item.applicant_display}; hạn: {due}\n    {link}"
    )


def official_digest_text(digest: Digest, *, day: date) -> tuple[str, str]:
    """(subject, body) of the digest e-mail, in Vietnamese."""
    with translation.override(settings.LANGUAGE_CODE):
        parts = [f"Kính gửi {digest.official.full_name or digest.official.username},\n"]
        parts.append(
            f"Hồ sơ trong hàng đợi của Ông/Bà cần chú ý ngày {day:%d/%m/%Y} "
            f"({len(digest.overdue)} quá hạn, {len(digest.due_soon)} đến hạn trong một ngày làm việc):\n"
        )
        if digest.overdue:
            parts.append("QUÁ HẠN")
            parts.extend(_line(item) for item in digest.overdue)
            parts.append("")
        if digest.due_soon:
            parts.append("ĐẾN HẠN TRONG MỘT NGÀY LÀM VIỆC")
            parts.extend(_line(item) for item in digest.due_soon)
            parts.append("")
        if digest.more:
            parts.append(f"Còn {digest.more} hồ sơ khác: xem hàng đợi tại trang Cán bộ.\n")
        parts.append(f"Hàng đợi: {settings.MOTCUA_PUBLIC_BASE_URL}{reverse('backoffice:queue')}\n")
        parts.append(
            "Đây là thư tự động của Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Quảng Ninh.\n"
        )
    subject = (
        f"Hồ sơ cần xử lý ngày {day:%d/%m/%Y}: {len(digest.overdue)} quá hạn, "
        f"{len(digest.due_soon)} sắp đến hạn"
    )
    return subject, unicodedata.normalize("NFC", "\n".join(parts))


def officials_digest_send(*, day: date, now: datetime | None = None) -> int:
    """Send every non-empty digest of ``day``; how many officials were mailed now (not before)."""
    now = now or timezone.now()
    sent = 0
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "motcua.local"
    for official in _officials():
        digest = official_digest_build(official=official, now=now)
        if digest.empty:
            continue
        subject, body = official_digest_text(digest, day=day)
        key = f"digest:{day.isoformat()}:{official.pk}"
        message = EmailMessage(
            subject=subject,
            body=body,
            to=[official.email],
            headers={"Message-ID": f"<digest.{day.isoformat()}.{official.pk}@{domain}>"},
        )

        def send(message: EmailMessage = message) -> str:
            message.send(fail_silently=False)
            return str(message.extra_headers["Message-ID"])

        outcome = channel_send(
            key=key,
            channel="email",
            dossier_code="",
            recipient=official.email[:40],
            # Mail systems de-duplicate on Message-ID: a digest re-sent after a crash shows once.
            dedupes=True,
            call=send,
        )
        sent += outcome.fresh
    logger.info("Thư tổng hợp ngày %s: đã gửi %s cán bộ", day.isoformat(), sent)
    return sent
