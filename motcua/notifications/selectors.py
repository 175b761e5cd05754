"""Reads of the notifications app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS

from motcua.accounts.models import Account
from motcua.core.orm import PreparedQuery
from motcua.dossiers.models import Dossier
from motcua.notifications.models import InboxNotification


@dataclass(frozen=True, slots=True)
class MessageDossier:
    """What an applicant e-mail says of its dossier (``messages.applicant_message_build``)."""

    code: str
    applicant_name: str
    applicant_email: str
    due_at: datetime | None
    procedure_name: str
    applicant_phone: str = ""
    applicant_user_id: int | None = None


# The worker reads one dossier per e-mail. Compiling the ORM query each time cost ~10× the query itself
# (and the full read, dossiers.selectors.dossier_get with its eleven joins, ~25 ms of CPU per job), so
# the columns the messages use are read by SQL compiled once per connection (only the text is kept).
_MESSAGE_ROW: PreparedQuery[Dossier] = PreparedQuery(
    lambda p: (
        Dossier.objects.filter(pk=p["id"])
        .order_by()
        .values_list(
            "code",
            "applicant_name",
            "applicant_email",
            "due_at",
            "procedure__name",
            "applicant_phone",
            "applicant_user_id",
        )
    ),
    {"id": -7_351_917},
)


def dossier_for_message(*, dossier_id: int, alias: str = DEFAULT_DB_ALIAS) -> MessageDossier | None:
    """The dossier an applicant e-mail is about (what the message says of it), or None if it is gone."""
    rows = _MESSAGE_ROW.tuples(using=alias, id=dossier_id)
    if not rows:
        return None
    code, name, email, due_at, procedure_name, phone, user_id = rows[0]
    return MessageDossier(
        code=code,
        applicant_name=name,
        applicant_email=email,
        due_at=due_at,
        procedure_name=procedure_name,
        applicant_phone=phone,
        applicant_user_id=user_id,
    )


def inbox_list(*, account: Account, limit: int = 100) -> list[InboxNotification]:
    """The account's inbox, newest first (one query)."""
    return list(InboxNotification.objects.filter(account=account).order_by("-created_at", "-id")[:limit])


def inbox_unread_count(*, account: Account) -> int:
    """How many of the account's notifications are unread."""
    return InboxNotification.objects.filter(account=account, read_at__isnull=True).count()
