"""``motcua purge-personal-data [--dry-run]``: delete personal data past its retention (docs/privacy.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.privacy.registry import retention_rules
from motcua.privacy.services import personal_data_purge


class Command(BaseCommand):
    help = (
        "Xóa dữ liệu cá nhân đã quá thời hạn lưu trữ (hồ sơ đang soạn, nhật ký, hội thoại trợ lý ảo, "
        "phiên đăng nhập…), theo từng lô; --dry-run chỉ đếm. Không bao giờ xóa hồ sơ đã nộp và nhật ký "
        "xử lý hồ sơ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Chỉ đếm, không xóa.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        counts = personal_data_purge(dry_run=dry_run)
        verb = "Sẽ xóa" if dry_run else "Đã xóa"
        for rule in retention_rules():
            kept = f"giữ {rule.days} ngày" if rule.days is not None else "theo hạn riêng"
            self.stdout.write(f"{rule.name}: {verb} {counts[rule.name]} ({rule.label}; {kept})")
        self.stdout.write(f"Tổng: {verb.lower()} {sum(counts.values())} bản ghi.")
