"""The assistant's part of personal-data protection (``motcua.privacy.registry``).

Conversations are anonymous (no account): nothing to export for a person, but what a user typed may
hold their data, so conversations go when they expire (``MOTCUA_ASSISTANT_CONVERSATION_MINUTES``) and
the verbatim text of badly answered questions after ``MOTCUA_RETENTION_ASSISTANT_QUESTIONS_DAYS``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from motcua.assistant.models import Conversation, QuestionLog
from motcua.privacy.registry import batch_delete, retention_rule


@retention_rule(
    "assistant.conversations",
    label="Hội thoại trợ lý ảo đã hết hạn",
    setting="",
)
def conversations_purge(*, now: datetime, dry_run: bool) -> int:
    # The assistant's own 10-minute job deletes them too; this catches up after a stopped worker.
    return batch_delete(Conversation.objects.filter(expires_at__lte=now), dry_run=dry_run)


@retention_rule(
    "assistant.questions",
    label="Câu hỏi trợ lý ảo chưa trả lời tốt (nguyên văn)",
    setting="MOTCUA_RETENTION_ASSISTANT_QUESTIONS_DAYS",
)
def questions_purge(*, now: datetime, dry_run: bool) -> int:
    before = now - timedelta(days=settings.MOTCUA_RETENTION_ASSISTANT_QUESTIONS_DAYS)
    return batch_delete(QuestionLog.objects.filter(last_seen__lt=before), dry_run=dry_run)
