"""Subscribers of the notifications app to dossier events (``dossiers.events``).

``applicant_email``: an e-mail to the applicant for every event that concerns them — the dossier was
submitted, received, accepted or refused, a supplement or payment is asked for or arrived, the result is
ready or returned, the dossier was withdrawn or stopped, the appointment extended. Internal hand-outs
between officials (forward, claim, reassign, transfer …) are not the applicant's business.

``applicant_sms`` and ``applicant_zalo``: the same events by SMS brandname and Zalo ZNS to the
applicant's phone, each its own subscriber (retried and dead-lettered on its own), exactly once per
event and channel (``channels.channel_send``). ``applicant_inbox``: an entry in the portal inbox
(``/thong-bao``) of the applicant's account, for dossiers linked to one.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from django.conf import settings
from django.db import IntegrityError, transaction

from motcua.dossiers.events import EventDelivery, EventKind, RecordedEvent, dossier_subscriber
from motcua.dossiers.models import DossierState
from motcua.notifications.channels import (
    channel_send,
    phone_international,
    phone_national,
    sms_backend,
    zalo_backend,
)
from motcua.notifications.forms import RECEIPT_KINDS, receipt_form_attachment
from motcua.notifications.messages import (
    applicant_inbox_entry,
    applicant_message_build,
    applicant_message_send,
    applicant_sms_text,
    applicant_zns_data,
)
from motcua.notifications.models import InboxNotification
from motcua.notifications.selectors import dossier_for_message

logger = logging.getLogger(__name__)

APPLICANT_EMAIL = "notifications.applicant_email"
APPLICANT_SMS = "notifications.applicant_sms"
APPLICANT_ZALO = "notifications.applicant_zalo"
APPLICANT_INBOX = "notifications.applicant_inbox"
APPLICANT_EVENT_KINDS = frozenset(
    {
        EventKind.SUBMIT,
        EventKind.RECEIVE,
        EventKind.ACCEPT,
        EventKind.REFUSE,
        EventKind.REQUEST_SUPPLEMENT,
        EventKind.RECEIVE_SUPPLEMENT,
        EventKind.REQUEST_PAYMENT,
        EventKind.RECORD_PAYMENT,
        EventKind.FEES_PAID,
        EventKind.APPROVE,
        EventKind.REJECT,
        EventKind.MARK_RESULT_READY,
        EventKind.RETURN_RESULT,
        EventKind.WITHDRAW,
        EventKind.STOP,
        EventKind.EXTEND,
    }
)


def _concerns_applicant(recorded: RecordedEvent) -> bool:
    # A decision only concerns the applicant when it makes the result ready (no signing step after it);
    # otherwise the result-ready event tells them later.
    if recorded.kind in (EventKind.APPROVE, EventKind.REJECT):
        return recorded.event.to_state == DossierState.RESULT_READY
    return True


@dossier_subscriber(APPLICANT_EMAIL, kinds=APPLICANT_EVENT_KINDS, when=_concerns_applicant)
def applicant_email(event: EventDelivery) -> None:
    """Tell the applicant what happened (receipt, supplement request, result ready…) by e-mail."""
    dossier = dossier_for_message(dossier_id=event.dossier_id)
    if dossier is None:  # the dossier is gone (never in production: events protect it)
        logger.warning("Thông báo: không còn hồ sơ %s", event.code)
        return
    message = applicant_message_build(dossier=dossier, event=event)
    if message is None:
        logger.info("Thông báo %s: người nộp không có thư điện tử", dossier.code)
        return
    if event.kind in RECEIPT_KINDS:
        form = receipt_form_attachment(dossier_id=event.dossier_id)
        if form is not None:
            message = replace(message, attachments=(form,))
    applicant_message_send(message)


def _has_phone(recorded: RecordedEvent) -> bool:
    return _concerns_applicant(recorded) and phone_national(recorded.dossier.applicant_phone) is not None


# A channel switched off (``none``) enqueues no job at all: nothing would be sent later either.
def _sms_wanted(recorded: RecordedEvent) -> bool:
    return settings.MOTCUA_SMS_BACKEND != "none" and _has_phone(recorded)


def _zalo_wanted(recorded: RecordedEvent) -> bool:
    return settings.MOTCUA_ZALO_BACKEND != "none" and _has_phone(recorded)


def _has_account(recorded: RecordedEvent) -> bool:
    return _concerns_applicant(recorded) and recorded.dossier.applicant_user_id is not None


@dossier_subscriber(APPLICANT_SMS, kinds=APPLICANT_EVENT_KINDS, when=_sms_wanted)
def applicant_sms(event: EventDelivery) -> None:
    """Tell the applicant by SMS brandname (eSMS), once per event."""
    backend = sms_backend()
    dossier = dossier_for_message(dossier_id=event.dossier_id)
    phone = phone_national(dossier.applicant_phone) if dossier else None
    if backend is None or dossier is None or phone is None:
        return
    text = applicant_sms_text(dossier=dossier, event=event)
    channel_send(
        key=event.idempotency_key,
        channel="sms",
        dossier_code=dossier.code,
        recipient=phone,
        dedupes=backend.dedupes,
        call=lambda: backend.send(phone=phone, text=text, request_id=event.idempotency_key),
    )


@dossier_subscriber(APPLICANT_ZALO, kinds=APPLICANT_EVENT_KINDS, when=_zalo_wanted)
def applicant_zalo(event: EventDelivery) -> None:
    """Tell the applicant by a Zalo OA ZNS template message, at most once per event."""
    backend = zalo_backend()
    dossier = dossier_for_message(dossier_id=event.dossier_id)
    phone = phone_international(dossier.applicant_phone) if dossier else None
    if backend is None or dossier is None or phone is None:
        return
    data = applicant_zns_data(dossier=dossier, event=event)
    channel_send(
        key=event.idempotency_key,
        channel="zalo",
        dossier_code=dossier.code,
        recipient=phone,
        dedupes=backend.dedupes,
        call=lambda: backend.send(phone=phone, template_data=data, tracking_id=event.idempotency_key),
    )


@dossier_subscriber(APPLICANT_INBOX, kinds=APPLICANT_EVENT_KINDS, when=_has_account, atomic=True)
def applicant_inbox(event: EventDelivery) -> None:
    """File the news in the applicant account's portal inbox (one entry per event)."""
    dossier = dossier_for_message(dossier_id=event.dossier_id)
    if dossier is None or dossier.applicant_user_id is None:
        return
    entry = applicant_inbox_entry(dossier=dossier, event=event)
    try:
        with transaction.atomic():
            InboxNotification.objects.create(
                account_id=dossier.applicant_user_id,
                dossier_id=event.dossier_id,
                event_seq=event.seq,
                kind=event.kind.value,
                title=entry.title,
                text=entry.text,
                link=entry.link,
            )
    except IntegrityError:
        pass  # already filed by an attempt whose completion was lost
