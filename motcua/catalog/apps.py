from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "motcua.catalog"
    label = "catalog"
    verbose_name = "Danh mục thủ tục"

    def ready(self) -> None:
        # The search index registers its invalidation signals on import; import it in every
        # process (workers and management commands too), not only where URLs load.
        from motcua.catalog import search  # noqa: F401
