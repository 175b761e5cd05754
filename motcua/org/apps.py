from __future__ import annotations

from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "motcua.org"
    label = "org"
    verbose_name = "Tổ chức, đơn vị"

    def ready(self) -> None:
        from motcua.core.services import reference_data_watch
        from motcua.org.models import Unit

        # Receipt reads units from a per-process cache (core.selectors.reference_data_cached).
        reference_data_watch(Unit)
