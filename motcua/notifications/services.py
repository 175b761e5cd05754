"""Writes of the notifications app: the applicant marks inbox entries read."""

from __future__ import annotations

from django.utils import timezone

from motcua.accounts.models import Account
from motcua.notifications.models import InboxNotification


def inbox_mark_read(*, account: Account, notification_id: int | None = None) -> int:
    """Mark one of ``account``'s notifications (or all, without an id) read; how many changed.

    Another account's id changes nothing (0): the filter is on the owner, so no one can learn or touch
    someone else's notifications.
    """
    unread = InboxNotification.objects.filter(account=account, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
