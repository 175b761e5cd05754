from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "motcua.portal"
    label = "portal"
    verbose_name = "Cổng công dân"

    def ready(self) -> None:
        from motcua.portal import checks  # noqa: F401  (registers the login's deploy checks)
