"""``motcua verify-backup BACKUP_DIR [--archive-only]``: does the system (or the backup) match its manifest?

Without ``--archive-only``: the running system — row counts of every model, the dossiers' audit chain
heads recomputed from the events, every stored file's SHA-256 — against the backup's manifest (run it
right after ``motcua restore``). With ``--archive-only``: the backup's own dump and files. Exit code 1
and one line per difference when anything differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.backup import BackupError, verify_archive, verify_restored


class Command(BaseCommand):
    help = (
        "Đối chiếu hệ thống đã khôi phục (số dòng, nhật ký xử lý hồ sơ, mã băm từng tệp) với bản sao lưu; "
        "--archive-only: chỉ kiểm tra tính toàn vẹn của chính bản sao lưu."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "backup_dir", metavar="BACKUP_DIR", help="Thư mục bản sao lưu (có manifest.json)."
        )
        parser.add_argument(
            "--archive-only",
            action="store_true",
            help="Chỉ kiểm tra bản sao lưu (mã băm tệp cơ sở dữ liệu và từng tệp), không đối chiếu hệ thống.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["backup_dir"])
        try:
            report = verify_archive(source) if options["archive_only"] else verify_restored(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        what = "Bản sao lưu" if options["archive_only"] else "Hệ thống so với bản sao lưu"
        checked = ", ".join(f"{name}: {count:,}" for name, count in report.checked.items())
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(problem))
        if not report.ok:
            raise CommandError(
                f"{what}: {len(report.problems)} điểm khác biệt (đã kiểm tra {checked}).", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(f"{what}: khớp hoàn toàn (đã kiểm tra {checked})."))
