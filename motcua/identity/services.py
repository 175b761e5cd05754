"""Writes of the identity app: create, rotate, revoke and use API tokens (each expires); record
idempotent API requests."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from motcua.accounts.models import Account
from motcua.core.orm import PreparedQuery
from motcua.identity.models import ApiToken, IdempotentRequest

TOKEN_PREFIX = "mct"  # "motcua token": recognisable in logs and by secret scanners
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_NAME = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(
    *, user: Account | None, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the token text, which is never stored or shown again.

    Format ``mct_<prefix>_<secret>``: 12 hex characters of public prefix, 256 random bits of secret. It
    expires ``days`` (default ``MOTCUA_API_TOKEN_DAYS``, 90) from now.
    """
    if user is None or not user.is_active:
        raise ValueError("Tài khoản không tồn tại hoặc đã bị khóa.")
    days = token_lifetime_days() if days is None else days
    if days < 1:
        raise ValueError("Thời hạn của mã truy cập phải từ 1 ngày trở lên.")
    expires_at = timezone.now() + timedelta(days=days)
    for _attempt in range(5):
        prefix = secrets.token_hex(6)
        token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                row = ApiToken.objects.create(
                    user=user,
                    name=(name or "").strip()[:MAX_NAME],
                    prefix=prefix,
                    secret_hash=_hash(token),
                    expires_at=expires_at,
                )
        except IntegrityError:  # prefix collision (2^48 space): draw again
            continue
        return row, token
    raise RuntimeError("could not draw a unique token prefix")


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke — thu hồi: the token stops working at once; the row stays for the audit trail."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_rotate(*, token: ApiToken) -> tuple[ApiToken, str]:
    """Rotate — đổi mã: a new token for the same account and name (a full lifetime); the old one keeps
    working for ``MOTCUA_API_TOKEN_ROTATION_GRACE_HOURS`` (24) at most, while the integrator switches.

    Revoked or expired tokens are not rotated: create a new one instead.
    """
    if not token.is_active:
        raise ValueError("Mã truy cập này đã bị thu hồi hoặc đã hết hạn; hãy tạo mã mới.")
    grace = timedelta(hours=int(getattr(settings, "MOTCUA_API_TOKEN_ROTATION_GRACE_HOURS", 24)))
    with transaction.atomic():
        new, text = api_token_create(user=token.user, name=token.name)
        ends = timezone.now() + grace
        if token.expires_at is None or token.expires_at > ends:
            token.expires_at = ends
            token.save(update_fields=["expires_at"])
    return new, text


def token_lifetime_days() -> int:
    return int(getattr(settings, "MOTCUA_API_TOKEN_DAYS", 90))


# Every API request reads its token: compiled once per connection (``core.orm.PreparedQuery``), no
# ORDER BY (the prefix is unique). Revoked tokens and inactive users are filtered by the query itself,
# so a revocation or deactivation refuses the very next request.
_TOKEN_BY_PREFIX: PreparedQuery[ApiToken] = PreparedQuery(
    lambda p: (
        ApiToken.objects.select_related("user", "user__official")
        .filter(prefix=p["prefix"], revoked_at__isnull=True, user__is_active=True)
        .order_by()
    ),
    {"prefix": "\x00prefix\x00"},
)


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token (with its active user) matching ``raw``, else None; records the use (≤ 1/min)."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    # The user's ``official`` (org app) joined too: most API writes need the actor's name or roles, and
    # a reverse one-to-one that is absent is then cached as such — ``user.official`` costs no query.
    row = _TOKEN_BY_PREFIX.one(prefix=parts[1])
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(raw.strip())):
        return None
    if row.expires_at is not None and row.expires_at <= timezone.now():
        return None  # expired: refused like a revoked one
    api_token_touch(token=row)
    return row


def api_token_touch(*, token: ApiToken) -> None:
    """Refresh ``last_used_at`` at most once per minute: one conditional UPDATE, no read-modify-write race."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_INTERVAL)
    ).update(last_used_at=now)
    token.last_used_at = now


def idempotent_request_insert(
    *, user: Account, scope: str, key: str, request_hash: str, result_ref: str
) -> IdempotentRequest:
    """Insert the record of the first request made with ``key``: one INSERT, no savepoint.

    For a caller that has already looked the key up (``selectors.idempotent_request_get``) and does
    this as the last write of its transaction: a taken key raises ``IntegrityError``, which aborts the
    caller's transaction (PostgreSQL) — catch it *outside* ``transaction.atomic()``, after the
    rollback, and read the winner's record then (a concurrent retry waited for its commit).
    """
    return IdempotentRequest.objects.create(
        user=user, scope=scope, key=key, request_hash=request_hash, result_ref=result_ref
    )
