"""Admin of the online submission: procedures' online forms (checked before saving) and drafts (read)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import F
from django.http import HttpRequest

from motcua.portal.form_schema import schema_errors
from motcua.portal.models import FormDefinition, SubmissionDraft


class FormDefinitionForm(forms.ModelForm):
    class Meta:
        model = FormDefinition
        fields = ["procedure", "schema", "ui"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "schema" in cleaned and "ui" in cleaned:
            problems = schema_errors(cleaned["schema"], cleaned["ui"] or {})
            if problems:
                raise forms.ValidationError(problems)
        return cleaned


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    form = FormDefinitionForm
    list_display = ["procedure", "version", "updated_at"]
    search_fields = ["procedure__code", "procedure__name"]
    raw_id_fields = ["procedure"]
    readonly_fields = ["version", "updated_at"]

    def save_model(self, request: HttpRequest, obj: FormDefinition, form: Any, change: bool) -> None:
        # Every change is a new version; drafts keep the copy they started with.
        if change and form.changed_data:
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["version"])


@admin.register(SubmissionDraft)
class SubmissionDraftAdmin(admin.ModelAdmin):
    list_display = ["procedure", "owner", "step", "updated_at", "expires_at", "dossier"]
    list_select_related = ["procedure", "owner", "dossier"]
    list_filter = ["step"]
    search_fields = ["procedure__code", "owner__username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
