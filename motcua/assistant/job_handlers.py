"""Jobs of the assistant: deleting expired conversations (every 10 minutes)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from motcua.assistant.services import conversations_expired_delete
from motcua.jobs.periodic import periodic
from motcua.jobs.registry import JobContext

CONVERSATIONS_EXPIRE_JOB = "assistant.conversations_expire"


@periodic(CONVERSATIONS_EXPIRE_JOB, every=timedelta(minutes=10))
def conversations_expire(ctx: JobContext) -> None:
    """Delete conversations past ``expires_at`` (kept ``MOTCUA_ASSISTANT_CONVERSATION_MINUTES``)."""
    conversations_expired_delete(now=timezone.now())
