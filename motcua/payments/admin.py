"""Admin of payments: payments, receipts and notifications are records (read-only); exemptions are data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.payments.models import (
    ExemptionClaim,
    FeeExemption,
    NotificationLog,
    Payment,
    PaymentEvent,
    Receipt,
)


class _ReadOnly(admin.ModelAdmin):
    # Money records change only through the services (transition table, event log, receipts).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "from_state", "to_state", "actor", "note", "data")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(_ReadOnly):
    list_display = (
        "reference",
        "dossier",
        "amount_vnd",
        "method",
        "gateway",
        "state",
        "created_at",
        "needs_review",
    )
    list_filter = ("state", "method", "gateway")
    search_fields = ("reference", "dossier__code", "transaction_no")
    inlines = [PaymentEventInline]


@admin.register(Receipt)
class ReceiptAdmin(_ReadOnly):
    list_display = ("__str__", "unit", "amount_vnd", "payer_name", "issued_at")
    search_fields = ("payment__reference", "payment__dossier__code")


@admin.register(NotificationLog)
class NotificationLogAdmin(_ReadOnly):
    list_display = ("received_at", "gateway", "reference", "outcome", "amount_vnd", "success")
    list_filter = ("gateway", "outcome")
    search_fields = ("reference",)


@admin.register(FeeExemption)
class FeeExemptionAdmin(admin.ModelAdmin):
    list_display = ("category", "procedure_code", "active")
    list_filter = ("active",)


@admin.register(ExemptionClaim)
class ExemptionClaimAdmin(_ReadOnly):
    list_display = ("dossier", "exemption", "state", "claimed_at", "decided_at")
    list_filter = ("state",)
