"""``motcua forecast-calibrate [--cut ISO]… [--days-before N] [--cuts K] [--svg PATH]``.

Cuts the recorded histories (e.g. those of ``motcua simulate``) at past instants, forecasts the dossiers
open then and compares with what happened after: calibration table, Brier score of the model and of
the baseline (the procedure's past late share). See ``motcua.forecast.calibration``.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max
from django.utils.dateparse import parse_datetime

from motcua.dossiers.models import Dossier
from motcua.forecast.calibration import calibrate, calibration_svg


class Command(BaseCommand):
    help = "Hiệu chuẩn mô hình dự báo trễ hạn trên lịch sử đã ghi (cắt thời gian, dự báo, so với thực tế)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cut", action="append", dest="cuts_at", metavar="ISO", help="Thời điểm cắt.")
        parser.add_argument(
            "--days-before", type=int, default=30, help="Điểm cắt cuối cách dữ liệu mới nhất bao nhiêu ngày."
        )
        parser.add_argument("--cuts", type=int, default=3, help="Số điểm cắt, cách nhau 7 ngày.")
        parser.add_argument("--svg", help="Ghi đường cong hiệu chuẩn ra tệp SVG.")

    def handle(self, *args: Any, **options: Any) -> None:
        cuts: list[datetime] = []
        for text in options.get("cuts_at") or ():
            at = parse_datetime(text)
            if at is None or at.tzinfo is None:
                raise CommandError(
                    "--cut phải là thời điểm ISO 8601 có múi giờ, ví dụ 2026-03-02T10:00:00+07:00."
                )
            cuts.append(at)
        if not cuts:
            last = Dossier.objects.aggregate(last=Max("submitted_at"))["last"]
            if last is None:
                raise CommandError("Chưa có hồ sơ nào: hãy chạy `motcua simulate` trước.")
            first = last - timedelta(days=options["days_before"])
            cuts = [first - timedelta(days=7 * i) for i in range(max(1, options["cuts"]))]
        started = time.perf_counter()
        result = calibrate(sorted(cuts))
        elapsed = time.perf_counter() - started
        write = self.stdout.write
        for cut in result.cuts:
            write(f"Cắt {cut.at.isoformat()}: {len(cut.pairs)} hồ sơ so sánh được, {cut.left_out} bỏ qua")
        write("")
        write("| xác suất dự báo | số hồ sơ | dự báo trung bình | tỉ lệ trễ thực tế |")
        write("|---|---:|---:|---:|")
        for b in result.bins():
            write(
                f"| {b.low:.1f}–{b.high:.1f} | {b.count} | {b.mean_predicted:.3f} | {b.observed_late:.3f} |"
            )
        write("")
        write(f"Hồ sơ: {len(result.pairs)}; tỉ lệ trễ thực tế {result.late_share():.3f}")
        write(f"Brier mô hình: {result.brier():.4f}")
        write(
            f"Brier mô hình không có số hạng hàng chờ: {result.brier_without_queue():.4f} "
            f"(hàng chờ thay đổi dự báo của {result.queued_share():.1%} số hồ sơ)"
        )
        write(f"Brier đường cơ sở (tỉ lệ trễ lịch sử của thủ tục): {result.brier_baseline():.4f}")
        write(f"Thời gian: {elapsed:.1f} s")
        if options.get("svg"):
            Path(options["svg"]).write_text(
                calibration_svg(result.bins(), title="Hiệu chuẩn dự báo trễ hạn"), encoding="utf-8"
            )
            write(f"Đã ghi {options['svg']}")
