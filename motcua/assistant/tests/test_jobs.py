"""The periodic job deleting expired conversations, run through the worker's own code."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from motcua.assistant.job_handlers import CONVERSATIONS_EXPIRE_JOB
from motcua.assistant.models import Conversation
from motcua.assistant.services import assistant_reply
from motcua.jobs.delivery import jobs_run_due
from motcua.jobs.periodic import periodic_enqueue_due, periodic_seen_clear

pytestmark = pytest.mark.django_db(transaction=True)


def test_expired_conversations_deleted_by_the_periodic_job(catalogue) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = assistant_reply(text="đăng ký khai sinh").conversation_id
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        fresh = assistant_reply(text="đăng ký kết hôn").conversation_id
    with time_machine.travel(start + timedelta(minutes=40), tick=False):
        periodic_seen_clear()
        keys = periodic_enqueue_due()
        assert any(CONVERSATIONS_EXPIRE_JOB in k for k in keys)
        jobs_run_due()
    assert not Conversation.objects.filter(pk=old).exists()
    assert Conversation.objects.filter(pk=fresh).exists()
