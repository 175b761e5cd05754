"""Notifications' part of a person's data export (``motcua.privacy.registry``): the portal inbox."""

from __future__ import annotations

from typing import Any

from motcua.notifications.models import InboxNotification
from motcua.privacy.registry import Subject, export_section


@export_section("notifications")
def notifications_export(subject: Subject) -> list[dict[str, Any]]:
    if subject.account is None:
        return []
    return [
        dict(row)
        for row in InboxNotification.objects.filter(account=subject.account)
        .order_by("created_at")
        .values("kind", "title", "text", "created_at", "read_at")
    ]
