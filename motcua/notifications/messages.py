"""Messages to the applicant — thông báo cho người nộp hồ sơ (e-mail channel).

``subscribers.applicant_email`` subscribes to every event the applicant must hear about; the engine
enqueues its job in the same transaction as the event. The job carries a snapshot of that event (kind,
DVCQG status, reason, data: ``dossiers.events.EventDelivery``), so a message sent late still tells what
happened *then*, not the dossier's current state. This module turns the snapshot into a Vietnamese
e-mail and sends it through Django's mail framework (SMTP in production, files under var/mail in development).

Delivery is at least once: the job framework never re-runs a completed job, but an attempt that sent
the message and died before recording success is retried. The ``Message-ID`` is derived from the
job's idempotency key, so mail systems that de-duplicate on it show one message. SMS, Zalo and the
portal inbox are other channels (``channels.py``, ``subscribers.py``), fed from the same wording at the
end of this module; an applicant with no e-mail address gets no e-mail.
"""

from __future__ import annotations

import smtplib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime

from motcua.core.formatting import format_vnd
from motcua.core.text import nfc
from motcua.dossiers.deadlines import format_local
from motcua.dossiers.events import EventDelivery, EventKind
from motcua.dossiers.models import DvcqgStatus
from motcua.notifications.channels import unaccented
from motcua.notifications.selectors import MessageDossier


@dataclass(frozen=True)
class ApplicantMessage:
    """One message to the applicant: where to, subject and plain-text body."""

    to: str
    subject: str
    body: str
    message_id: str
    # (file name, content, MIME type): form 01 (receipt and appointment) with the receipt e-mail.
    attachments: tuple[tuple[str, bytes, str], ...] = ()


def _when(value: Any) -> str:
    instant = parse_datetime(value) if isinstance(value, str) else value
    return format_local(instant) if isinstance(instant, datetime) else ""


def _items(data: Mapping[str, Any]) -> str:
    lines = []
    for item in data.get("items") or []:
        note = f" ({item['note']})" if item.get("note") else ""
        lines.append(f"  - {item.get('name', '')}{note}")
    return "\n".join(lines)


def _fees(data: Mapping[str, Any]) -> str:
    lines = []
    for fee in data.get("fees") or []:
        lines.append(f"  - {fee.get('name', '')}: {format_vnd(int(fee.get('amount_vnd') or 0))}")
    return "\n".join(lines)


def _what_happened(dossier: MessageDossier, event: EventDelivery) -> tuple[str, str]:
    """(short subject, paragraph) for ``event``."""
    action, reason, data = event.kind, event.reason, event.data
    due = _when(data.get("due_at")) or (format_local(dossier.due_at) if dossier.due_at else "")
    because = f"\nLý do: {reason}" if reason else ""
    if action == EventKind.SUBMIT:
        return (
            "đã nộp trực tuyến, chờ tiếp nhận",
            "Hệ thống đã nhận hồ sơ nộp trực tuyến của Ông/Bà. Cán bộ tiếp nhận sẽ kiểm tra và thông báo "
            "kết quả tiếp nhận.",
        )
    if action in (EventKind.RECEIVE, EventKind.ACCEPT):
        appointment = f" Thời gian hẹn trả kết quả: {due}." if due else ""
        return "đã được tiếp nhận", f"Hồ sơ của Ông/Bà đã được tiếp nhận để giải quyết.{appointment}"
    if action == EventKind.REFUSE:
        return "bị từ chối tiếp nhận", f"Hồ sơ của Ông/Bà không được tiếp nhận.{because}"
    if action == EventKind.REQUEST_SUPPLEMENT:
        return (
            "cần bổ sung, hoàn thiện",
            "Hồ sơ của Ông/Bà cần bổ sung, hoàn thiện các giấy tờ, nội dung sau:\n"
            f"{_items(data)}{because}\n"
            "Thời gian giải quyết tạm dừng cho đến khi nhận được hồ sơ bổ sung.",
        )
    if action == EventKind.RECEIVE_SUPPLEMENT:
        return (
            "đã nhận hồ sơ bổ sung",
            "Hồ sơ bổ sung của Ông/Bà đã được tiếp nhận; hồ sơ tiếp tục được giải quyết.",
        )
    if action == EventKind.REQUEST_PAYMENT:
        return (
            "cần thực hiện nghĩa vụ tài chính",
            "Ông/Bà cần thực hiện nghĩa vụ tài chính sau để hồ sơ được tiếp tục giải quyết:\n"
            f"{_fees(data)}{because}",
        )
    if action == EventKind.RECORD_PAYMENT:
        return "đã xác nhận nghĩa vụ tài chính", "Việc thực hiện nghĩa vụ tài chính đã được xác nhận."
    if action == EventKind.FEES_PAID:
        return (
            "đã nộp phí, lệ phí",
            "Khoản phí, lệ phí của hồ sơ đã được ghi nhận đã nộp. Biên lai điện tử có trong «Hồ sơ của tôi».",
        )
    if action == EventKind.MARK_RESULT_READY:
        return (
            "đã có kết quả",
            "Hồ sơ của Ông/Bà đã có kết quả giải quyết. Mời Ông/Bà nhận kết quả theo hình thức đã đăng ký.",
        )
    if action == EventKind.RETURN_RESULT:
        return "đã trả kết quả", "Kết quả giải quyết hồ sơ đã được trả cho Ông/Bà."
    if action == EventKind.WITHDRAW:
        return "đã được rút", f"Hồ sơ đã được rút theo đề nghị của Ông/Bà.{because}"
    if action == EventKind.STOP:
        return "bị dừng xử lý", f"Cơ quan giải quyết đã dừng xử lý hồ sơ.{because}"
    if action == EventKind.EXTEND:
        old = _when(data.get("old_due_at"))
        was = f" (thay cho thời hạn {old})" if old else ""
        return (
            "hẹn lại ngày trả kết quả",
            "Cơ quan giải quyết xin lỗi Ông/Bà vì hồ sơ chưa giải quyết được đúng hẹn và hẹn trả kết quả "
            f"vào {due}{was}.{because}",
        )
    label = str(DvcqgStatus(event.status).label) if event.status else ""
    return "có cập nhật", f"Trạng thái hồ sơ: {label}."


def applicant_message_build(*, dossier: MessageDossier, event: EventDelivery) -> ApplicantMessage | None:
    """The e-mail telling the applicant about ``event``, or None when the applicant gave no e-mail."""
    if not dossier.applicant_email:
        return None
    # The applicant's letter is Vietnamese whatever language the thread has active (amounts included).
    with translation.override(settings.LANGUAGE_CODE):
        subject, paragraph = _what_happened(dossier, event)
    tracking = settings.MOTCUA_PUBLIC_BASE_URL + reverse("portal:tracking_detail", args=[dossier.code])
    body = (
        f"Kính gửi Ông/Bà {dossier.applicant_name},\n\n"
        f"{paragraph}\n\n"
        f"Mã hồ sơ: {dossier.code}\n"
        f"Thủ tục: {dossier.procedure_name}\n"
        f"Tra cứu tình trạng hồ sơ: {tracking}\n\n"
        "Đây là thư tự động của Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Quảng Ninh; "
        "vui lòng không trả lời thư này.\n"
    )
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "motcua.local"
    return ApplicantMessage(
        to=dossier.applicant_email,
        subject=nfc(f"Hồ sơ {dossier.code} {subject}"),
        body=unicodedata.normalize("NFC", body),  # not core.text.nfc: that folds the line breaks
        message_id=f"<{event.idempotency_key.replace(':', '.')}@{domain}>",
    )


# The worker sends message after message: over SMTP, one connection per process (TLS negotiated once)
# instead of a new one per e-mail, as EmailMessage.send() would open. Kept with the EMAIL_BACKEND
# it was made for, so a changed setting (tests) gets a new one. Other backends (files in development,
# one file per backend instance) get a new instance per message, as before.
_smtp: tuple[str, SMTPBackend] | None = None


def _mail_connection() -> BaseEmailBackend:
    global _smtp
    if _smtp is not None and _smtp[0] == settings.EMAIL_BACKEND:
        backend: BaseEmailBackend = _smtp[1]
    else:
        backend = get_connection(fail_silently=False)
        if not isinstance(backend, SMTPBackend):
            return backend
        _smtp = (settings.EMAIL_BACKEND, backend)
    # Opened here, the connection stays open after sending (send_messages closes only one it opened
    # itself); a no-op while it is open.
    backend.open()
    return backend


def applicant_message_send(message: ApplicantMessage) -> None:
    """Send through the configured backend; raises on failure, so the job is retried with backoff.

    A kept SMTP connection the server has closed meanwhile (idle timeout) fails the first try: it is
    then closed and the message sent once more over a new one.
    """
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.to],
        headers={"Message-ID": message.message_id},
        connection=_mail_connection(),
    )
    for name, content, mimetype in message.attachments:
        email.attach(name, content, mimetype)
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPServerDisconnected:
        email.connection.close()
        email.send(fail_silently=False)


# --- SMS, Zalo and the portal inbox: the same news, shorter ---------------------------------------


def _due_text(dossier: MessageDossier, event: EventDelivery) -> str:
    return _when(event.data.get("due_at")) or (format_local(dossier.due_at) if dossier.due_at else "")


def applicant_sms_text(*, dossier: MessageDossier, event: EventDelivery) -> str:
    """One SMS (≤ 160 plain letters): what happened, the appointment if any, where to look."""
    with translation.override(settings.LANGUAGE_CODE):
        subject, _paragraph = _what_happened(dossier, event)
    due = _due_text(dossier, event)
    appointment = (
        f" Hen tra: {due}."
        if due and event.kind in (EventKind.RECEIVE, EventKind.ACCEPT, EventKind.EXTEND)
        else ""
    )
    text = f"Ho so {dossier.code} {subject}.{appointment} Tra cuu: {settings.MOTCUA_PUBLIC_BASE_URL}/tra-cuu"
    return unaccented(text)[:320]


def applicant_zns_data(*, dossier: MessageDossier, event: EventDelivery) -> dict[str, str]:
    """The ``template_data`` of the ZNS template registered for dossier news (docs/architecture.md).

    Zalo limits each parameter's length (names 30, other texts 100 characters in the templates we
    register), so every value is cut to fit.
    """
    with translation.override(settings.LANGUAGE_CODE):
        subject, _paragraph = _what_happened(dossier, event)
    return {
        "customer_name": dossier.applicant_name[:30],
        "dossier_code": dossier.code[:30],
        "procedure_name": dossier.procedure_name[:100],
        "status": subject[:100],
        "due_date": _due_text(dossier, event)[:30] or "-",
    }


@dataclass(frozen=True)
class InboxEntry:
    title: str
    text: str
    link: str


def applicant_inbox_entry(*, dossier: MessageDossier, event: EventDelivery) -> InboxEntry:
    """The portal inbox entry for ``event`` (Vietnamese, like the e-mail)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject, paragraph = _what_happened(dossier, event)
    return InboxEntry(
        title=nfc(f"Hồ sơ {dossier.code} {subject}")[:255],
        text=unicodedata.normalize("NFC", f"{paragraph}\nThủ tục: {dossier.procedure_name}"),
        # The inbox belongs to the dossier's account: its own page ("Hồ sơ của tôi"), not public tracking.
        link=reverse("portal:my_dossier_detail", args=[dossier.code]),
    )
