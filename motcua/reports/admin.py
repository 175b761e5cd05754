from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from motcua.reports.index766 import INDICATORS, SPECS
from motcua.reports.models import IndexInput, RebuildMark


@admin.register(IndexInput)
class IndexInputAdmin(admin.ModelAdmin):
    """Decision 766 indicators the system cannot observe, entered by an administrator.

    Who entered a row and when is set here, never typed; every change is also in the admin's history
    (LogEntry), so the audit shows each value a row has had and who set it.
    """

    list_display = (
        "indicator",
        "indicator_name",
        "unit",
        "first_day",
        "last_day",
        "value",
        "entered_by",
        "entered_at",
    )
    list_filter = ("indicator", "unit__kind")
    search_fields = ("unit__name", "source_note")
    raw_id_fields = ("unit",)
    readonly_fields = ("entered_by", "entered_at")
    date_hierarchy = "last_day"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("indicator")
        if field is not None:
            choices = [(spec.code, f"{spec.code} — {spec.name}") for spec in INDICATORS if not spec.observed]
            form.base_fields["indicator"] = forms.ChoiceField(
                choices=choices, label=field.label, help_text="Chỉ các chỉ số hệ thống không tự đo được."
            )
        return form

    @admin.display(description="tên chỉ số")
    def indicator_name(self, obj: IndexInput) -> str:
        spec = SPECS.get(obj.indicator)
        return str(spec.name) if spec else ""

    def save_model(self, request: HttpRequest, obj: IndexInput, form: Any, change: bool) -> None:
        obj.entered_by = request.user  # type: ignore[assignment]
        obj.entered_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(RebuildMark)
class RebuildMarkAdmin(admin.ModelAdmin):
    list_display = ("rebuilt_at", "since", "events_upto_id", "dossiers")
    readonly_fields = ("rebuilt_at", "since", "events_upto_id", "dossiers")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
