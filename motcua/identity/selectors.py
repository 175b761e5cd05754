"""Reads of the identity app."""

from __future__ import annotations

from motcua.accounts.models import Account
from motcua.identity.models import IdempotentRequest


def idempotent_request_get(*, user: Account, scope: str, key: str) -> IdempotentRequest | None:
    """The request recorded for ``key`` of ``user`` in ``scope``, if any."""
    return IdempotentRequest.objects.filter(user=user, scope=scope, key=key).first()
