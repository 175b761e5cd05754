"""Reads of the identity app."""

from __future__ import annotations

from motcua.accounts.models import Account
from motcua.identity.models import ApiToken, IdempotentRequest


def idempotent_request_get(*, user: Account, scope: str, key: str) -> IdempotentRequest | None:
    """The request recorded for ``key`` of ``user`` in ``scope``, if any."""
    return IdempotentRequest.objects.filter(user=user, scope=scope, key=key).first()


def api_tokens_of(*, user: Account) -> list[ApiToken]:
    """``user``'s tokens, newest first (revoked and expired ones too: they are the record)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))


def api_token_of(*, user: Account, pk: int) -> ApiToken | None:
    """One of ``user``'s tokens, or None (another account's token is never found)."""
    return ApiToken.objects.filter(user=user, pk=pk).first()
