from __future__ import annotations

from django.contrib import admin

from motcua.feedback.models import Feedback, Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("dossier", "level", "created_at")
    list_filter = ("level",)
    raw_id_fields = ("dossier", "account")
    readonly_fields = ("dossier", "account", "level", "comment", "created_at")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("__str__", "dossier", "kind", "status", "created_at", "due_at", "answered_by_name")
    list_filter = ("status", "kind")
    raw_id_fields = ("dossier", "account", "answered_by")
    # The audit of who answered what is read-only: answers are given in the back office.
    readonly_fields = (
        "dossier",
        "account",
        "kind",
        "content",
        "created_at",
        "due_at",
        "status",
        "answer",
        "answered_at",
        "answered_by",
        "answered_by_name",
    )
