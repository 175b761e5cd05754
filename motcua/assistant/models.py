"""Conversations of the virtual assistant (trợ lý ảo), its FAQ and the questions it could not answer."""

from __future__ import annotations

from django.db import models


class Conversation(models.Model):
    """One anonymous conversation — cuộc hội thoại: an opaque random id, no account, no personal data
    beyond what the user typed; deleted when it expires (``MOTCUA_ASSISTANT_CONVERSATION_MINUTES``)."""

    id = models.CharField("mã hội thoại", max_length=43, primary_key=True)
    created_at = models.DateTimeField("tạo lúc")
    expires_at = models.DateTimeField("hết hạn lúc", db_index=True)
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name="thủ tục đang nói tới",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Codes of the procedures offered in the last clarifying question (its buttons), best first.
    candidates = models.JSONField("thủ tục gợi ý gần nhất", default=list, blank=True)
    # A dossier code the assistant asked the verifier digits for (tracking follow-up).
    tracking_code = models.CharField("mã hồ sơ đang tra cứu", max_length=64, blank=True)
    messages_count = models.PositiveIntegerField("số tin nhắn", default=0)
    last_question = models.ForeignKey(
        "QuestionLog",
        verbose_name="câu hỏi ghi nhận gần nhất",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "cuộc hội thoại"
        verbose_name_plural = "cuộc hội thoại"

    def __str__(self) -> str:
        return self.id[:8]


class Speaker(models.TextChoices):
    USER = "user", "Người dùng"
    ASSISTANT = "assistant", "Trợ lý ảo"


class Message(models.Model):
    """One message of a conversation, as typed by the user or as answered."""

    conversation = models.ForeignKey(
        Conversation, verbose_name="cuộc hội thoại", on_delete=models.CASCADE, related_name="messages"
    )
    speaker = models.CharField("người nói", max_length=16, choices=Speaker.choices)
    text = models.TextField("nội dung")
    intent = models.CharField("ý định", max_length=32, blank=True)
    # The assistant's structured answer (procedures, links, follow-ups) so a page can redraw it.
    payload = models.JSONField("dữ liệu trả lời", default=dict, blank=True)
    created_at = models.DateTimeField("lúc")

    class Meta:
        ordering = ["id"]
        verbose_name = "tin nhắn"
        verbose_name_plural = "tin nhắn"

    def __str__(self) -> str:
        return self.text[:60]


class FaqEntry(models.Model):
    """A frequently asked question — câu hỏi thường gặp: matched before any procedure search."""

    patterns = models.TextField(
        "mẫu câu hỏi",
        help_text="Mỗi dòng một mẫu, ví dụ «giờ làm việc». Câu hỏi khớp khi chứa mọi từ của một mẫu "
        "(không phân biệt dấu).",
    )
    answer = models.TextField("câu trả lời")
    link = models.CharField("liên kết", max_length=500, blank=True)
    is_active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "câu hỏi thường gặp"
        verbose_name_plural = "câu hỏi thường gặp"

    def __str__(self) -> str:
        return self.patterns.splitlines()[0] if self.patterns else f"#{self.pk}"


class QuestionLog(models.Model):
    """A question the assistant answered badly — câu hỏi chưa trả lời được: nothing found, low
    confidence or a clarifying question; and which procedure the user finally opened. Anonymous."""

    normalized = models.CharField("câu hỏi (chuẩn hóa)", max_length=1000, unique=True)
    text = models.TextField("câu hỏi (nguyên văn gần nhất)")
    reason = models.CharField("lý do", max_length=32)
    count = models.PositiveIntegerField("số lần hỏi", default=1, db_index=True)
    candidates = models.JSONField("thủ tục gợi ý", default=list, blank=True)
    chosen_code = models.CharField("thủ tục người dùng mở", max_length=20, blank=True)
    chosen_count = models.PositiveIntegerField("số lần mở", default=0)
    first_seen = models.DateTimeField("hỏi lần đầu")
    last_seen = models.DateTimeField("hỏi lần cuối")

    class Meta:
        ordering = ["-count", "-last_seen"]
        verbose_name = "câu hỏi chưa trả lời tốt"
        verbose_name_plural = "câu hỏi chưa trả lời tốt"

    def __str__(self) -> str:
        return self.text[:80]
