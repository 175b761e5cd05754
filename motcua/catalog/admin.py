"""Admin of the catalogue: procedures (versioned through services), fields, process definitions.

Writes go through ``catalog.services`` so that an edit here bumps the procedure version and keeps a
snapshot exactly like an import does, recording who saved it. Process versions that were ever current
are read-only (dossiers keep the version they started with); a change is made on a draft copy, then
activated.

Who may do what is Django's permission check, answered for officials by their roles
(``org.backends``): a province admin edits, a unit admin reads; see docs/domain.md §1.5. Procedure
codes, the procedure list and the fields come from the national catalogue, so only a superuser adds
procedures, changes a code or edits fields.
"""

from __future__ import annotations

from copy import copy
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join

from motcua.catalog.models import (
    Field,
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcedureVersion,
    ProcessDefinition,
    ProcessStep,
    SearchTerm,
)
from motcua.catalog.selectors import procedure_time_missing_q
from motcua.catalog.services import (
    Budget,
    ProcessDefinitionError,
    budget_problems_text,
    budget_text,
    procedure_normalise,
    procedure_time_errors,
    procedure_version_record,
    process_definition_activate,
    process_definition_draft_create,
    process_definition_is_draft,
    process_definition_time_problems,
    process_definition_validate,
    step_budget_error,
)
from motcua.catalog.services.vocabulary import search_term_clean
from motcua.core.formatting import format_number

if TYPE_CHECKING:
    from motcua.accounts.models import Account


def _editor(request: HttpRequest) -> Account:
    # The admin site only serves signed-in staff; the cast names the project's account model.
    return cast("Account", request.user)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "procedure_count")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Field]:
        return super().get_queryset(request).annotate(procedure_total=Count("procedures"))

    @admin.display(description="Số thủ tục", ordering="procedure_total")
    def procedure_count(self, obj: Field) -> int:
        return int(getattr(obj, "procedure_total", 0))


class ProcedureDocumentInline(admin.TabularInline):
    model = ProcedureDocument
    extra = 0
    fields = ("order", "name", "copies", "form_template", "required", "note")


class ProcedureFeeInline(admin.StackedInline):
    """Fee schedule lines with when each applies (catalog.fees): derived at import, corrected here."""

    model = ProcedureFee
    extra = 0
    fields = (
        ("order", "name"),
        ("amount_vnd", "basis"),
        ("channel", "conditional"),
        ("case_group", "case_name"),
        "exemption",
        "note",
    )


class ProcedureVersionInline(admin.TabularInline):
    """History, read-only: snapshots are immutable."""

    model = ProcedureVersion
    extra = 0
    fields = ("number", "created_at", "source", "edited_by", "content_hash")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProcedureAdminForm(forms.ModelForm):
    """Checks the processing time with ``catalog.services.procedure_time_errors`` before anything is
    saved: a time the deadline engine cannot use, or that the default process cannot be split into,
    is refused with its reason instead of failing half-way through the save. No ``Meta``: the admin
    builds it from its fieldsets."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        # The instance gets the cleaned values only after clean(): check an edited copy.
        edited = copy(self.instance)
        for column in ("level", "processing_time_amount", "processing_time_unit"):
            if column in cleaned:
                setattr(edited, column, cleaned[column])
        for field, message in procedure_time_errors(procedure=edited).items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


class CompletenessFilter(admin.SimpleListFilter):
    """Procedures whose data is incomplete (no processing time): admins complete them first."""

    title = "dữ liệu"
    parameter_name = "du_lieu"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("thieu", "Chưa đủ (chưa có thời hạn giải quyết)"), ("du", "Đủ")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> QuerySet[Procedure]:
        if self.value() == "thieu":
            return queryset.filter(procedure_time_missing_q())
        if self.value() == "du":
            return queryset.exclude(procedure_time_missing_q())
        return queryset


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    form = ProcedureAdminForm
    list_display = (
        "code",
        "name",
        "field",
        "level",
        "service_level",
        "processing_time",
        "version",
        "is_active",
        "applies_here",
    )
    list_filter = (
        CompletenessFilter,
        "level",
        "service_level",
        "has_details",
        "is_vertical",
        "is_active",
        "applies_here",
        "processing_time_unit",
        "field",
    )
    search_fields = ("code", "name")
    list_select_related = ("field",)
    autocomplete_fields = ("field",)
    readonly_fields = ("version", "current_process", "created_at", "updated_at")
    inlines = (ProcedureDocumentInline, ProcedureFeeInline, ProcedureVersionInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "name",
                    "field",
                    "level",
                    "service_level",
                    "is_active",
                    "applies_here",
                    "version",
                )
            },
        ),
        (
            "Thời hạn giải quyết",
            {
                "fields": (
                    "processing_time_amount",
                    "processing_time_unit",
                    "processing_time_text",
                    "current_process",
                )
            },
        ),
        (
            "Thông tin chi tiết",
            {
                "classes": ("collapse",),
                "fields": (
                    "competent_authority",
                    "implementing_agency",
                    "steps",
                    "result",
                    "result_template",
                    "legal_basis",
                    "processing_time_extra",
                    "has_details",
                ),
            },
        ),
        (
            # Data notes and sources: for whoever maintains the catalogue, never on public pages
            # (catalog.public).
            "Ghi chú dữ liệu và nguồn (nội bộ, không công khai)",
            {"fields": ("notes", "sources")},
        ),
        (
            "Đối tượng, thống kê",
            {
                "fields": (
                    "audience_citizen",
                    "audience_business",
                    "is_vertical",
                    "popularity",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    @admin.display(description="Thời hạn")
    def processing_time(self, obj: Procedure) -> str:
        if not obj.has_processing_time:
            # Flagged: dossiers of it would have no due time (online submission is closed for it).
            return format_html(
                '<strong class="errornote" title="{}">Chưa đủ dữ liệu: chưa có thời hạn</strong>',
                "Nhập thời hạn giải quyết để mở nộp trực tuyến và tính hạn xử lý hồ sơ.",
            )
        amount = "" if obj.processing_time_amount is None else f"{format_number(obj.processing_time_amount)} "
        return f"{amount}{obj.get_processing_time_unit_display()}"

    @admin.display(description="Quy trình hiện hành")
    def current_process(self, obj: Procedure) -> str:
        process = obj.processes.filter(is_current=True).first() if obj.pk else None
        if process is None:
            return "—"
        steps = process.steps.order_by("order")
        return (
            format_html_join(
                "",
                "<div>{}. {} — {} {}</div>",
                (
                    (
                        s.order,
                        s.name,
                        "?" if s.duration_amount is None else format_number(s.duration_amount),
                        s.get_duration_unit_display(),
                    )
                    for s in steps
                ),
            )
            or "—"
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Procedure | None = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            # The national code identifies the procedure across imports and dossiers.
            readonly = ("code", *readonly)
        return readonly

    def save_model(
        self, request: HttpRequest, obj: Procedure, form: ModelForm[Procedure], change: bool
    ) -> None:
        procedure_normalise(procedure=obj)
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm[Procedure], formsets: Any, change: bool
    ) -> None:
        # The version is recorded after the inlines are saved: documents and fees are part of it.
        super().save_related(request, form, formsets, change)
        procedure = form.instance
        version = procedure_version_record(
            procedure=procedure, source=f"admin:{request.user.get_username()}", editor=_editor(request)
        )
        if version is not None:
            self.message_user(request, f"Đã lưu phiên bản {version.number} của thủ tục.", messages.SUCCESS)
        current = procedure.processes.filter(is_current=True).first()
        if current is None:
            return
        problems = process_definition_time_problems(definition=current, procedure=procedure)
        if problems:
            # An approved or hand-made process is never rewritten by a procedure edit: say what to do.
            self.message_user(
                request,
                f"{budget_problems_text(problems)}. Quy trình hiện hành (phiên bản {current.version}) "
                "chưa theo thời hạn mới: dùng «Tạo bản nháp» trong Quy trình nội bộ, sửa rồi áp dụng.",
                messages.WARNING,
            )


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ("procedure", "number", "created_at", "source", "edited_by")
    list_select_related = ("procedure", "edited_by")
    search_fields = ("procedure__code", "procedure__name")
    readonly_fields = (
        "procedure",
        "number",
        "content_hash",
        "snapshot",
        "source",
        "edited_by",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_DRAFTS_ATTR = "_motcua_catalog_admin_drafts"


def _is_draft(request: HttpRequest, definition: ProcessDefinition) -> bool:
    """``process_definition_is_draft`` (one query), once per definition and request: the admin asks
    about permissions and read-only fields a dozen times while rendering one change page."""
    if definition.pk is None:
        return process_definition_is_draft(definition=definition)
    drafts: dict[int, bool] | None = getattr(request, _DRAFTS_ATTR, None)
    if drafts is None:
        drafts = {}
        setattr(request, _DRAFTS_ATTR, drafts)
    if definition.pk not in drafts:
        drafts[definition.pk] = process_definition_is_draft(definition=definition)
    return drafts[definition.pk]


_STEP_FIELDS = (
    "order",
    "name",
    "actor_text",
    "actor_unit_kind",
    "actor_role",
    "duration_amount",
    "duration_unit",
    "task",
)


class ProcessStepForm(ModelForm):
    """A draft step: its own time is checked on save, so a negative or impossible budget is refused
    at once, not first when the draft is activated (the sum against the total stays an activation rule:
    steps are edited one by one)."""

    class Meta:
        model = ProcessStep
        fields = _STEP_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        amount, unit = cleaned.get("duration_amount"), cleaned.get("duration_unit")
        if unit is not None and "duration_amount" not in self.errors:
            error = step_budget_error(Budget(amount, unit or ""))
            if error is not None:
                self.add_error("duration_amount", error)
        return cleaned


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    form = ProcessStepForm
    extra = 0
    fields = _STEP_FIELDS

    def _editable(self, request: HttpRequest, obj: ProcessDefinition | None) -> bool:
        return obj is not None and _is_draft(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    list_display = ("procedure", "version", "is_current", "source", "total", "step_count", "created_at")
    list_filter = ("is_current", "source", "total_unit")
    search_fields = ("procedure__code", "procedure__name")
    list_select_related = ("procedure",)
    inlines = (ProcessStepInline,)
    actions = ("draft_create", "draft_activate")
    fields = (
        "procedure",
        "version",
        "is_current",
        "source",
        "total_amount",
        "total_unit",
        "budget_check",
        "created_at",
        "drafted_by",
        "activated_by",
        "activated_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProcessDefinition]:
        return super().get_queryset(request).annotate(step_total=Count("steps"))

    @admin.display(description="Số bước", ordering="step_total")
    def step_count(self, obj: ProcessDefinition) -> int:
        return int(getattr(obj, "step_total", 0))

    @admin.display(description="Tổng thời gian")
    def total(self, obj: ProcessDefinition) -> str:
        if not obj.total_unit:
            return "chưa có thời hạn"
        return budget_text(Budget(obj.total_amount, obj.total_unit))

    @admin.display(description="Kiểm tra thời gian các bước")
    def budget_check(self, obj: ProcessDefinition) -> str:
        if obj.pk is None:
            return "—"
        problems = process_definition_validate(
            total=Budget(obj.total_amount, obj.total_unit) if obj.total_unit else None,
            budgets=[Budget(s.duration_amount, s.duration_unit) for s in obj.steps.order_by("order")],
        )
        if not problems:
            return "Hợp lệ" if obj.total_unit else "Hợp lệ (chưa có thời hạn: thời gian các bước để trống)"
        return budget_problems_text(problems)

    def get_readonly_fields(self, request: HttpRequest, obj: ProcessDefinition | None = None) -> Any:
        if obj is not None and _is_draft(request, obj):
            return (
                "procedure",
                "version",
                "is_current",
                "source",
                "budget_check",
                "created_at",
                "drafted_by",
                "activated_by",
                "activated_at",
            )
        return self.fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new versions come from the import or the "draft" action, never from scratch

    def has_change_permission(self, request: HttpRequest, obj: ProcessDefinition | None = None) -> bool:
        # A version that was ever current is only viewed: a POST to it is refused, not silently ignored.
        if obj is not None and not _is_draft(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ProcessDefinition | None = None) -> bool:
        if obj is None:
            return False
        return _is_draft(request, obj) and super().has_delete_permission(request, obj)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if request.method == "GET" and obj is not None and not _is_draft(request, obj):
            self.message_user(
                request,
                "Phiên bản này đã (hoặc đang) được áp dụng nên không sửa được; "
                "hồ sơ giữ phiên bản đã bắt đầu. Dùng thao tác «Tạo bản nháp» trong danh sách "
                "để sửa trên bản sao, rồi «Áp dụng bản nháp».",
                messages.WARNING,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # allowed_permissions: actions are offered to whoever sees the list, and a unit admin only reads.
    @admin.action(description="Tạo bản nháp (bản sao để sửa) từ quy trình hiện hành", permissions=["change"])
    def draft_create(self, request: HttpRequest, queryset: QuerySet[ProcessDefinition]) -> None:
        procedures = {d.procedure for d in queryset.select_related("procedure")}
        for procedure in procedures:
            draft = process_definition_draft_create(procedure=procedure, editor=_editor(request))
            self.message_user(
                request, f"{procedure.code}: bản nháp phiên bản {draft.version}.", messages.SUCCESS
            )

    @admin.action(description="Áp dụng bản nháp (kiểm tra tổng thời gian)", permissions=["change"])
    def draft_activate(self, request: HttpRequest, queryset: QuerySet[ProcessDefinition]) -> None:
        for definition in queryset.select_related("procedure"):
            try:
                process_definition_activate(definition=definition, editor=_editor(request))
            except ProcessDefinitionError as exc:
                self.message_user(request, f"{definition}: không áp dụng được — {exc}", messages.ERROR)
            except ValueError as exc:
                self.message_user(request, f"{definition}: {exc}", messages.WARNING)
            else:
                self.message_user(request, f"{definition}: đã áp dụng.", messages.SUCCESS)


class SearchTermForm(ModelForm):
    class Meta:
        model = SearchTerm
        fields = ["phrase", "expands_to", "kind", "note", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("phrase") and data.get("expands_to"):
            data["phrase"], data["expands_to"] = search_term_clean(
                phrase=data["phrase"], expands_to=data["expands_to"]
            )
        return data


@admin.register(SearchTerm)
class SearchTermAdmin(admin.ModelAdmin):
    """The vocabulary of the procedure search and the assistant; a save takes effect in every process
    within seconds (the save restamps reference data, §9)."""

    form = SearchTermForm
    list_display = ["phrase", "expands_to", "kind", "is_active", "updated_by", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["phrase", "expands_to", "note"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request: HttpRequest, obj: SearchTerm, form: Any, change: bool) -> None:
        obj.updated_by = _editor(request)
        super().save_model(request, obj, form, change)
