"""``motcua backup [--output DIR] [--include-secrets]``: database, stored files and a manifest.

See ``motcua.core.backup`` and docs/operations.md. Prints where the backup is and what it holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và toàn bộ tệp đã lưu trữ vào một thư mục, kèm tệp kê khai "
        "(manifest.json: số dòng, mã băm nhật ký, mã băm từng tệp)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            metavar="DIR",
            help="Thư mục chứa bản sao lưu (chưa có hoặc trống); mặc định: "
            "MOTCUA_BACKUP_DIR/motcua-<thời điểm UTC>.",
        )
        parser.add_argument(
            "--include-secrets",
            action="store_true",
            help="Sao lưu cả khóa dùng khi phát triển nằm dưới var/ (PKI ký số, khóa niêm phong nhật ký). "
            "Khóa của môi trường vận hành nằm trong HSM/kho bí mật, không nằm trong bản sao lưu.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["output"]:
            output = Path(options["output"])
        else:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            output = Path(settings.MOTCUA_BACKUP_DIR) / f"motcua-{stamp}"

        def say(message: str) -> None:
            if options["verbosity"] > 0:
                self.stdout.write(message)

        try:
            manifest = backup_create(output=output, include_secrets=options["include_secrets"], progress=say)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        database, storage = manifest["database"], manifest["storage"]
        say(
            f"Cơ sở dữ liệu ({database['vendor']}): {sum(manifest['rows'].values()):,} dòng, "
            f"{manifest['chain_heads']['dossiers']:,} hồ sơ, {manifest['chain_heads']['events']:,} sự kiện; "
            f"tệp sao lưu {database['size']:,} byte."
        )
        say(f"Tệp đã lưu trữ: {storage['files']:,} tệp, {storage['bytes']:,} byte.")
        if manifest["secrets"]:
            say(f"Khóa (--include-secrets): {len(manifest['secrets'])} tệp. Hãy mã hóa bản sao lưu này.")
        say(f"Thời gian: {manifest['seconds']['total']:.1f} giây.")
        self.stdout.write(self.style.SUCCESS(f"Đã sao lưu vào {output}"))
