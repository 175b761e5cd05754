"""``motcua reports-rebuild [--since YYYY-MM-DD]``: recompute the report aggregates from the events.

See ``motcua.reports.services.aggregates_rebuild``. Without ``--since`` every row is replaced; with it,
the rows from the first day of that month on.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from motcua.dossiers.models import Dossier
from motcua.reports.services import aggregates_rebuild


class Command(BaseCommand):
    help = "Tính lại số liệu tổng hợp báo cáo từ nhật ký sự kiện hồ sơ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            help="Chỉ tính lại từ ngày đầu tháng của ngày này (YYYY-MM-DD); mặc định: toàn bộ.",
        )
        parser.add_argument("--batch", type=int, default=5_000, help="Số hồ sơ mỗi lượt đọc.")
        parser.add_argument(
            "--workers",
            type=int,
            help="Số tiến trình tính song song (mặc định: số CPU trên PostgreSQL, 1 trên SQLite).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options.get("since"):
            try:
                since = date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError("--since phải là ngày dạng YYYY-MM-DD, ví dụ 2026-11-01.") from None
        workers = options.get("workers")
        if workers is not None and workers < 1:
            raise CommandError("--workers phải là số nguyên dương, ví dụ 2.")
        started = time.perf_counter()
        total = Dossier.objects.count() if since is None else None
        with tqdm(total=total, unit="hồ sơ", disable=options["verbosity"] == 0, smoothing=0.1) as bar:
            result = aggregates_rebuild(
                since=since, batch=max(1, options["batch"]), progress=bar.update, workers=workers
            )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Đã tính lại {result.dossiers:,} hồ sơ, {result.events:,} sự kiện → {result.daily_rows:,} dòng "
            f"theo ngày, {result.monthly_rows:,} dòng theo tháng trong {elapsed:.1f} s "
            f"(đến sự kiện #{result.events_upto_id})."
        )
