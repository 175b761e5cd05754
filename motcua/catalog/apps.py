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
        from motcua.catalog.models import (
            Field,
            Procedure,
            ProcedureDocument,
            ProcedureFee,
            ProcessDefinition,
            ProcessStep,
            SearchTerm,
        )
        from motcua.core.services import reference_data_watch

        # Receipt reads procedures, documents, fees and processes from a per-process cache; the search
        # engine keeps the vocabulary (SearchTerm) in memory too.
        reference_data_watch(
            Field, Procedure, ProcedureDocument, ProcedureFee, ProcessDefinition, ProcessStep, SearchTerm
        )
