"""Subscribers of the notifications app to dossier events (``dossiers.events``).

``applicant_email``: an e-mail to the applicant for every event that concerns them — the dossier was
submitted, received, accepted or refused, a supplement or payment is asked for or arrived, the result is
ready or returned, the dossier was withdrawn or stopped, the appointment extended. Internal hand-outs
between officials (forward, claim, reassign, transfer …) are not the applicant's business. SMS and Zalo
are further channels: each will be its own subscriber, retried and dead-lettered on its own.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from motcua.dossiers.events import EventDelivery, EventKind, RecordedEvent, dossier_subscriber
from motcua.dossiers.models import DossierState
from motcua.notifications.forms import RECEIPT_KINDS, receipt_form_attachment
from motcua.notifications.messages import applicant_message_build, applicant_message_send
from motcua.notifications.selectors import dossier_for_message

logger = logging.getLogger(__name__)

APPLICANT_EMAIL = "notifications.applicant_email"

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
