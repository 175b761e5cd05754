"""``motcua import-catalog PATH [--skip-invalid]``: import the procedure catalogue (see catalog.services)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.services import CatalogValidationError, catalog_import


class Command(BaseCommand):
    help = (
        "Nhập danh mục thủ tục từ PATH/procedures.jsonl, PATH/detailed/*.json, PATH/fields.json. "
        "Kiểm tra chặt: có dòng lỗi thì không nhập gì, trừ khi có --skip-invalid. "
        "(Import the procedure catalogue; strict validation.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="Thư mục dữ liệu, ví dụ data/catalog")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Nhập các dòng hợp lệ, liệt kê và bỏ qua dòng lỗi (import valid rows, list invalid ones)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = options["verbosity"] > 0 and sys.stderr.isatty()
        try:
            report = catalog_import(
                path=options["path"], skip_invalid=options["skip_invalid"], progress=progress
            )
        except CatalogValidationError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{exc} — sửa dữ liệu hoặc dùng --skip-invalid (fix the data or use --skip-invalid)"
            ) from exc
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if report.problems:
            for problem in report.problems:
                self.stderr.write(self.style.WARNING(f"Bỏ qua (skipped) {problem}"))
            skipped = ", ".join(report.skipped_codes) or "—"
            self.stderr.write(
                self.style.WARNING(f"{report.invalid} dòng/tệp lỗi đã bỏ qua; mã bỏ qua: {skipped}")
            )
        self.stdout.write(self.style.SUCCESS(str(report)))
