from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.population.models import PopulationLookup


@admin.register(PopulationLookup)
class PopulationLookupAdmin(admin.ModelAdmin):
    """Read-only audit trail of lookups."""

    list_display = ("at", "actor", "personal_id", "purpose", "outcome")
    list_filter = ("outcome",)
    search_fields = ("personal_id", "actor__username")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
