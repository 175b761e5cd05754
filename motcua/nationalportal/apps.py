from __future__ import annotations

from django.apps import AppConfig


class NationalPortalConfig(AppConfig):
    """National Public Service Portal — Cổng Dịch vụ công quốc gia (DVCQG): a subscriber of dossier events."""

    name = "motcua.nationalportal"
    label = "nationalportal"
    verbose_name = "Cổng Dịch vụ công quốc gia"
