from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Notifications to applicants — thông báo: a subscriber of the dossier engine's events."""

    name = "motcua.notifications"
    label = "notifications"
    verbose_name = "Thông báo"
