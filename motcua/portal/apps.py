from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "motcua.portal"
    label = "portal"
    verbose_name = "Cổng công dân"

    def ready(self) -> None:
        # The login's deploy checks, and the job handlers of the portal (draft expiry).
        from motcua.portal import checks, jobs  # noqa: F401
