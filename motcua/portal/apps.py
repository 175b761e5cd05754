from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "motcua.portal"
    label = "portal"
    verbose_name = "Cổng công dân"

    def ready(self) -> None:
        # Registers the portal's job handlers with the queue (draft expiry).
        from motcua.portal import jobs  # noqa: F401
