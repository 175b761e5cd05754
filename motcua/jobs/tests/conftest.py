"""Fixtures for the job tests: an in-process stand-in for django-q2's pusher, worker and monitor."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from motcua.jobs.tests import handlers


@pytest.fixture(autouse=True)
def _reset_calls() -> Iterator[None]:
    handlers.CALLS.clear()
    yield
    handlers.CALLS.clear()


@pytest.fixture
def deliver_due() -> Callable[[], list[str]]:
    """Run every queued delivery whose lease is past, like a django-q2 cluster would.

    Uses the same visibility rule as django-q2's ORM broker (``lock < now``) and unpacks the signed
    package it stored, so what is tested is what a real worker would receive.
    """

    def run() -> list[str]:
        outcomes = []
        for row in OrmQ.objects.filter(lock__lt=timezone.now()).order_by("id"):
            task = SignedPackage.loads(row.payload)
            outcomes.append(import_string(task["func"])(*task["args"], **task["kwargs"]))
            row.delete()  # acknowledge, as the monitor does after a task that returned
        return outcomes

    return run
