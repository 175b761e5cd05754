"""Admin of the data store: read-only (documents belong to their owners; reuses are statistics)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.datastore.models import DocumentReuse, StoredDocument


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StoredDocument)
class StoredDocumentAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["name", "owner", "origin", "issued_on", "valid_until", "created_at"]
    list_select_related = ["owner"]
    list_filter = ["origin"]
    search_fields = ["name", "owner__username"]


@admin.register(DocumentReuse)
class DocumentReuseAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["dossier", "component_name", "created_at"]
    list_select_related = ["dossier"]
