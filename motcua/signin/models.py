"""Officials' sign-in — đăng nhập cán bộ: recovery codes of the second factor, and the unlock audit.

The TOTP authenticator itself is django-otp's ``TOTPDevice`` (``django_otp.plugins.otp_totp``); the
failed attempts and lockouts are django-axes' tables. What is ours: the recovery codes, stored as
digests (django-otp's static tokens keep them in clear), and who released whose lockout.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device


def recovery_code_normalise(code: str) -> str:
    """What the official typed, as stored: spaces and dashes dropped, lower case."""
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def recovery_code_digest(code: str) -> str:
    # A plain SHA-256 is enough: each code carries 80 random bits (services.RECOVERY_CODE_CHARS), far
    # beyond a brute force of the digest; a slow password hash would cost ~0.5 s per stored code tried.
    return hashlib.sha256(recovery_code_normalise(code).encode()).hexdigest()


class RecoveryCodeDevice(Device):
    """Recovery codes — mã khôi phục: ten single-use codes that stand in for the authenticator app.

    A django-otp device, so a session verified with a code is "verified" like one verified with the app.
    """

    class Meta:
        verbose_name = "bộ mã khôi phục"
        verbose_name_plural = "bộ mã khôi phục"

    def verify_token(self, token: str) -> bool:
        digest = recovery_code_digest(token)
        if not recovery_code_normalise(token):
            return False
        for code in self.codes.filter(used_at__isnull=True):
            if hmac.compare_digest(code.digest, digest):
                # Single use even under two concurrent requests: only one UPDATE finds it unused.
                return (
                    RecoveryCode.objects.filter(pk=code.pk, used_at__isnull=True).update(
                        used_at=timezone.now()
                    )
                    == 1
                )
        return False

    def unused_count(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField("mã băm SHA-256", max_length=64)
    used_at = models.DateTimeField("dùng lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mã khôi phục"
        verbose_name_plural = "mã khôi phục"

    def __str__(self) -> str:
        return f"Mã khôi phục #{self.pk} ({'đã dùng' if self.used_at else 'chưa dùng'})"


class LockoutRelease(models.Model):
    """Unlock — mở khóa đăng nhập: an admin cleared the failed attempts of an account or an address."""

    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người mở khóa",
        on_delete=models.PROTECT,
        related_name="lockout_releases",
    )
    username = models.CharField("tên đăng nhập được mở khóa", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("địa chỉ IP được mở khóa", null=True, blank=True)
    attempts_cleared = models.PositiveIntegerField("số bản ghi lần sai đã xóa")
    released_at = models.DateTimeField("mở khóa lúc", default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-released_at"]
        verbose_name = "lần mở khóa đăng nhập"
        verbose_name_plural = "nhật ký mở khóa đăng nhập"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(username="") | models.Q(ip_address__isnull=False),
                name="lockout_release_names_account_or_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.username or self.ip_address} — {timezone.localtime(self.released_at):%d/%m/%Y %H:%M}"
