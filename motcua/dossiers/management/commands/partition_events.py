"""``motcua partition-events``: partition the audit event table by year (PostgreSQL; docs/scaling.md).

Converts the table once (every event copied under an exclusive lock: run it in a maintenance window),
then, run again, only adds the partitions of the coming years. ``--status`` only lists the partitions.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers.partitioning import (
    PartitionError,
    events_partition,
    events_partitioned,
    events_partitions,
)


class Command(BaseCommand):
    help = "Phân vùng bảng sự kiện hồ sơ (nhật ký xử lý) theo năm trên PostgreSQL; chạy lại để thêm năm mới."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--years-ahead",
            type=int,
            default=1,
            help="Số năm sau năm hiện tại được tạo sẵn phân vùng (mặc định 1).",
        )
        parser.add_argument("--status", action="store_true", help="Chỉ liệt kê các phân vùng hiện có.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            if not events_partitioned():
                self.stdout.write("Bảng sự kiện chưa được phân vùng.")
                return
            self.stdout.write("Các phân vùng: " + ", ".join(events_partitions()))
            return
        try:
            report = events_partition(years_ahead=options["years_ahead"])
        except PartitionError as exc:
            raise CommandError(str(exc)) from exc
        if report.converted:
            self.stdout.write(
                self.style.SUCCESS(f"Đã phân vùng bảng sự kiện theo năm: {report.rows} sự kiện đã chuyển.")
            )
        elif report.years_added:
            self.stdout.write(
                self.style.SUCCESS(
                    "Đã thêm phân vùng các năm " + ", ".join(map(str, report.years_added)) + "."
                )
            )
        else:
            self.stdout.write("Bảng sự kiện đã được phân vùng; không cần thêm năm nào.")
        self.stdout.write("Các phân vùng: " + ", ".join(report.partitions))
