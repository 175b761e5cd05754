"""API credentials of service accounts — mã truy cập API — and idempotent API requests.

A token is shown once when created (``motcua create-token``); only its public prefix and the SHA-256
of the whole token are stored, so a database leak does not leak usable tokens.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """API token — mã truy cập API of a (service) account: ``Authorization: Bearer <token>``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="tài khoản",
    )
    name = models.CharField("tên gợi nhớ", max_length=100, blank=True)
    # Public part of the token (shown in the admin, used to find the row); the secret part is hashed.
    prefix = models.CharField("tiền tố", max_length=16, unique=True)
    secret_hash = models.CharField("SHA-256 của mã", max_length=64)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    # Refreshed at most once a minute (services.api_token_touch): not a write per request.
    last_used_at = models.DateTimeField("dùng gần nhất", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    # Every token ends (MOTCUA_API_TOKEN_DAYS after creation); rotation shortens the old one's life to a
    # grace period while the integrator switches (services.api_token_rotate).
    expires_at = models.DateTimeField("hết hạn lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or self.user_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class IdempotentRequest(models.Model):
    """An API write made with an ``Idempotency-Key``: the fingerprint of its body and what it created.

    A retry with the same key and body gets the same resource again; the same key with another body is
    refused (IETF draft "The Idempotency-Key HTTP Header Field": 422). Keys are scoped to the account
    and to the operation (``scope``, e.g. ``dossier.submit``).
    """

    # Indexed by idempotent_request_unique_key (user, scope, key).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=80)
    request_hash = models.CharField(max_length=64)
    # Identifier of the resource the first request created (a dossier code, …).
    result_ref = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "yêu cầu API có khóa chống trùng"
        verbose_name_plural = "yêu cầu API có khóa chống trùng"
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotent_request_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
