"""``motcua restore BACKUP_DIR [--include-secrets]``: a backup into an EMPTY database and the storage.

Refuses a database that already holds motcua data (no ``--force``: a restore must never overwrite a
live system by accident). Checks the backup's integrity first. See ``motcua.core.backup``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu vào cơ sở dữ liệu đang cấu hình (phải trống) và kho lưu trữ tệp; "
        "sau đó chạy «motcua verify-backup» với cùng thư mục."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "backup_dir", metavar="BACKUP_DIR", help="Thư mục bản sao lưu (có manifest.json)."
        )
        parser.add_argument(
            "--include-secrets",
            action="store_true",
            help="Khôi phục cả khóa có trong bản sao lưu về vị trí đang cấu hình (không ghi đè khóa đã có).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["backup_dir"])

        def say(message: str) -> None:
            if options["verbosity"] > 0:
                self.stdout.write(message)

        try:
            summary = restore(source=source, include_secrets=options["include_secrets"], progress=say)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        say(
            f"Đã khôi phục {summary['rows']:,} dòng và {summary['files']:,} tệp ({summary['bytes']:,} byte; "
            f"{summary['files_written']:,} tệp ghi mới) trong {summary['seconds']['total']:.2f} giây."
        )
        if options["include_secrets"]:
            say(f"Khóa khôi phục: {summary['secrets']} tệp.")
        self.stdout.write(self.style.SUCCESS(f"Khôi phục xong. Kiểm tra: motcua verify-backup {source}"))
