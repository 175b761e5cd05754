"""``motcua send-renewal-reminders``: enqueue today's reminders before stored documents expire."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from motcua.datastore.renewals import renewal_reminders_enqueue


class Command(BaseCommand):
    help = "Nhắc gia hạn giấy tờ sắp hết hiệu lực trong kho dữ liệu (mỗi giấy tờ, mỗi ngày hết hạn: một lần)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = renewal_reminders_enqueue(today=timezone.localdate())
        self.stdout.write(f"Nhắc gia hạn: {created} thư mới trong hàng đợi (motcua run-jobs gửi).")
