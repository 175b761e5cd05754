"""Admin of the assistant: the FAQ, and the questions it answered badly with one-step fixes."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from motcua.assistant.models import FaqEntry, QuestionLog
from motcua.catalog.models import Procedure, SearchTerm, SearchTermKind


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("patterns", "answer")


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
    def add_synonym(self, request: HttpRequest, queryset: QuerySet[QuestionLog]) -> HttpResponse | None:
        """One question: the vocabulary's add form, filled in (the administrator may shorten the phrase
        to the words that matter before saving). Several: entries created at once."""
        pairs: list[tuple[QuestionLog, str]] = []
        skipped = 0
        for log in queryset:
            code = log.chosen_code or (log.candidates[0] if log.candidates else "")
            name = Procedure.objects.filter(code=code).values_list("name", flat=True).first()
            if name:
                pairs.append((log, name))
            else:
                skipped += 1
        note = "Từ câu hỏi người dân hỏi trợ lý ảo."
        if len(pairs) == 1 and not skipped:
            log, name = pairs[0]
            initial = {"phrase": log.text[:200], "expands_to": name[:300], "kind": SearchTermKind.COLLOQUIAL}
            url = reverse("admin:catalog_searchterm_add")
            return HttpResponseRedirect(f"{url}?{urlencode({**initial, 'note': note})}")
        added = 0
        for log, name in pairs:
            _, created = SearchTerm.objects.get_or_create(
                phrase=log.normalized[:200],
                defaults={
                    "expands_to": name[:300],
                    "kind": SearchTermKind.COLLOQUIAL,
                    "note": note,
                    "updated_by": request.user if request.user.is_authenticated else None,
                },
            )
            added += created
        self.message_user(
            request,
            f"Đã thêm {added} từ vào từ điển tìm kiếm; bỏ qua {skipped} câu chưa rõ thủ tục.",
            messages.SUCCESS if added else messages.WARNING,
        )
        return None

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
