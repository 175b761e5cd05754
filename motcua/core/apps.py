from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = "Lõi"

    def ready(self) -> None:
        from motcua.core import checks  # noqa: F401  (registers the system checks)
