from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.notifications.models import ChannelDelivery


@admin.register(ChannelDelivery)
class ChannelDeliveryAdmin(admin.ModelAdmin):
    """SMS and Zalo sends, read-only: ``uncertain`` ones are worth a look (docs/architecture.md)."""

    list_display = ("created_at", "channel", "dossier_code", "recipient", "status", "attempts", "provider_id")
    list_filter = ("channel", "status")
    search_fields = ("dossier_code", "recipient", "key")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
