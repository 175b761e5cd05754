from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "motcua.portal"
    label = "portal"
    verbose_name = "Cổng công dân"

    def ready(self) -> None:
        # The login's deploy checks, and the job handlers of the portal (draft expiry).
        # The virtual assistant answers "where is my dossier" through the public tracking rules.
        from motcua.assistant.tracking import tracker_register
        from motcua.portal import checks, jobs  # noqa: F401
        from motcua.portal.tracking import tracking_lookup

        tracker_register(tracking_lookup)
