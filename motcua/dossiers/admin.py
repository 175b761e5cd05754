"""Django admin for dossiers: a read-only window for support staff — no edits, no deletes.

Every change must go through ``dossiers.services`` (state machine, audit chain, outbox); the admin
only lists, filters and shows. Per-procedure engine options are the one editable thing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.core.orm import concrete_fields
from motcua.dossiers import actions
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.events import EventKind
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DossierPause,
    DossierResultDocument,
    DossierResultDraft,
    DossierState,
    DossierStep,
    IntakeNotice,
    ProcedureDossierOptions,
)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StepInline(_ReadOnlyInline):
    model = DossierStep
    fields = (
        "seq",
        "name",
        "unit",
        "role",
        "assignee",
        "started_at",
        "due_at",
        "finished_at",
        "status",
        "outcome",
    )
    readonly_fields = fields


# The events that create a dossier are not actions of the registry (same words as the back office's).
_CREATION_LABELS = {
    EventKind.SUBMIT: "Nộp hồ sơ trực tuyến",
    EventKind.RECEIVE: "Tiếp nhận hồ sơ",
    EventKind.UPLOAD_RESULT_DRAFT: "Tải lên dự thảo kết quả",
    EventKind.FEES_PAID: "Xác nhận đã nộp phí, lệ phí",
}


def _state_label(value: str) -> str:
    return str(DossierState(value).label) if value in DossierState.values else value


class EventInline(_ReadOnlyInline):
    """The audit trail. Actions and states are stored as codes ("forward", "processing"): shown by
    their Vietnamese names, as everywhere else in the admin."""

    model = DossierEvent
    fields = (
        "seq",
        "at",
        "action_name",
        "actor_name",
        "unit",
        "from_state_name",
        "to_state_name",
        "reason",
        "hash",
    )
    readonly_fields = fields

    @admin.display(description="thao tác")
    def action_name(self, obj: DossierEvent) -> str:
        if obj.action in _CREATION_LABELS:
            return _CREATION_LABELS[EventKind(obj.action)]
        try:
            return str(actions.action_label(obj.action))
        except DossierInvalid:  # an action since retired from the registry: its code
            return obj.action

    @admin.display(description="từ trạng thái")
    def from_state_name(self, obj: DossierEvent) -> str:
        return _state_label(obj.from_state)

    @admin.display(description="sang trạng thái")
    def to_state_name(self, obj: DossierEvent) -> str:
        return _state_label(obj.to_state)


class ComponentInline(_ReadOnlyInline):
    model = DossierComponent
    fields = ("order", "name", "required", "paper_presented", "file", "file_sha256", "is_supplement")
    readonly_fields = fields


class FeeInline(_ReadOnlyInline):
    model = DossierFee
    fields = ("name", "amount_vnd", "explanation", "paid_at")
    readonly_fields = fields


class ResultDocumentInline(_ReadOnlyInline):
    model = DossierResultDocument
    # Not the file itself: the admin would link it under MEDIA_URL; downloads go through the checked views.
    fields = ("name", "sha256", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields


class ResultDraftInline(_ReadOnlyInline):
    model = DossierResultDraft
    fields = ("name", "sha256", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields


class PauseInline(_ReadOnlyInline):
    model = DossierPause
    fields = ("reason", "started_at", "ended_at", "note", "items")
    readonly_fields = fields


class _RecordAdmin(admin.ModelAdmin):
    """A record the engine writes (dossier, intake slip): the admin shows it, never adds, edits or
    deletes it — viewing needs the view permission; nothing is ever saved from here."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in concrete_fields(self.model)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(_RecordAdmin):
    list_display = ("code", "applicant_name", "procedure", "status", "current_unit", "due_at", "outcome")
    list_filter = ("status", "state", "channel", "outcome", "extended", "receiving_unit__kind")
    search_fields = ("=code", "applicant_name", "applicant_id_number", "applicant_phone")
    list_select_related = ("procedure", "current_unit")
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at",)
    show_full_result_count = False  # COUNT(*) over a million rows on every page is wasted work
    raw_id_fields = ("procedure",)
    inlines = (
        StepInline,
        ComponentInline,
        ResultDraftInline,
        ResultDocumentInline,
        FeeInline,
        PauseInline,
        EventInline,
    )


@admin.register(IntakeNotice)
class IntakeNoticeAdmin(_RecordAdmin):
    """Slips given at the counter instead of a receipt (form 02 / 03): read-only, like dossiers."""

    list_display = ("issued_at", "kind", "applicant_name", "procedure", "unit", "actor_name")
    list_filter = ("kind", "unit__kind")
    search_fields = ("applicant_name", "applicant_id_number", "procedure__code")
    list_select_related = ("procedure", "unit")
    date_hierarchy = "issued_at"
    raw_id_fields = ("procedure",)


@admin.register(ProcedureDossierOptions)
class ProcedureDossierOptionsAdmin(admin.ModelAdmin):
    list_display = ("procedure", "supplement_resumes_remaining")
    raw_id_fields = ("procedure",)
    search_fields = ("procedure__code", "procedure__name")
