"""``motcua expire-drafts``: drop online submission drafts untouched for MOTCUA_DRAFT_EXPIRY_DAYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from motcua.portal.services import drafts_expired_delete


class Command(BaseCommand):
    help = "Xoá hồ sơ đang soạn đã quá hạn lưu (MOTCUA_DRAFT_EXPIRY_DAYS)."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = drafts_expired_delete(now=timezone.now())
        self.stdout.write(f"Hồ sơ đang soạn quá hạn đã xoá: {removed}")
