"""Admin of the sign-in: the unlock audit, read-only (unlocks are made on the back-office page)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from motcua.signin.models import LockoutRelease


@admin.register(LockoutRelease)
class LockoutReleaseAdmin(admin.ModelAdmin):
    list_display = ("released_at", "username", "ip_address", "released_by", "attempts_cleared")
    list_select_related = ("released_by",)
    search_fields = ("username", "released_by__username")
    date_hierarchy = "released_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
