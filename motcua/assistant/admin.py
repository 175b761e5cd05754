"""Admin of the assistant: the FAQ, and the questions it answered badly with one-step fixes."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from motcua.assistant.models import FaqEntry, QuestionLog
from motcua.catalog.models import Procedure


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("patterns", "answer")


def _synonym_model() -> Any:
    """The catalogue's vocabulary (``catalog.SearchTerm``: phrase → expands_to), if installed."""
    try:
        return apps.get_model("catalog", "SearchTerm")
    except LookupError:
        return None


@admin.register(QuestionLog)
class QuestionLogAdmin(admin.ModelAdmin):
    list_display = ("text", "count", "reason", "chosen_code", "chosen_count", "last_seen")
    list_filter = ("reason",)
    search_fields = ("text", "normalized", "chosen_code")
    ordering = ("-count", "-last_seen")
    readonly_fields = (
        "normalized",
        "text",
        "reason",
        "count",
        "candidates",
        "chosen_code",
        "chosen_count",
        "first_seen",
        "last_seen",
    )
    actions = ("add_synonym", "add_faq")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Thêm từ đồng nghĩa (câu hỏi → thủ tục người dùng đã mở)")
    def add_synonym(self, request: HttpRequest, queryset: QuerySet[QuestionLog]) -> None:
        model = _synonym_model()
        if model is None:
            self.message_user(
                request, "Chưa có bảng từ đồng nghĩa của danh mục (catalog.SearchTerm).", messages.ERROR
            )
            return
        added = skipped = 0
        for log in queryset:
            code = log.chosen_code or (log.candidates[0] if log.candidates else "")
            name = Procedure.objects.filter(code=code).values_list("name", flat=True).first()
            if not name:
                skipped += 1
                continue
            model.objects.get_or_create(phrase=log.normalized, defaults={"expands_to": name})
            added += 1
        self.message_user(request, f"Đã thêm {added} từ đồng nghĩa; bỏ qua {skipped} câu chưa có thủ tục.")

    @admin.action(description="Thêm câu hỏi thường gặp từ câu hỏi này")
    def add_faq(self, request: HttpRequest, queryset: QuerySet[QuestionLog]) -> HttpResponse | None:
        entries = [
            FaqEntry.objects.create(patterns=log.normalized, answer="", is_active=False) for log in queryset
        ]
        if len(entries) == 1:
            self.message_user(
                request, "Đã tạo câu hỏi thường gặp (chưa dùng): nhập câu trả lời rồi bật «đang dùng»."
            )
            return HttpResponseRedirect(reverse("admin:assistant_faqentry_change", args=[entries[0].pk]))
        self.message_user(
            request, f"Đã tạo {len(entries)} câu hỏi thường gặp (chưa dùng): nhập câu trả lời cho từng câu."
        )
        return None
