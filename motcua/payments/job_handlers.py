"""Periodic jobs of the payments extension: expiring unpaid orders, the daily gateway check."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from motcua.jobs.periodic import periodic
from motcua.jobs.registry import JobContext
from motcua.payments import services

EXPIRE_JOB = "payments.expire"
RECONCILE_JOB = "payments.reconcile"


# Every minute: an order is payable for MOTCUA_PAYMENT_EXPIRY_MINUTES (15 by default).
@periodic(EXPIRE_JOB, every=timedelta(minutes=1), atomic=False)
def payments_expire(ctx: JobContext) -> None:
    services.payments_expire(now=timezone.now())


# Early morning: ask the gateways (querydr) about yesterday's unconfirmed orders.
@periodic(RECONCILE_JOB, at=time(5, 30), atomic=False)
def payments_reconcile(ctx: JobContext) -> None:
    services.payments_gateway_check(day=timezone.localdate() - timedelta(days=1))
