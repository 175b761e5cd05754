"""``motcua forecast-compute``: recompute every open dossier's lateness forecast now (what the job does)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from motcua.forecast.services import forecasts_compute


class Command(BaseCommand):
    help = "Tính ngay dự báo nguy cơ trễ hạn của mọi hồ sơ đang xử lý (việc định kỳ 15 phút một lần)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = forecasts_compute()
        self.stdout.write(
            f"Đã tính {result.forecasts} dự báo, xóa {result.removed} dự báo cũ "
            f"trong {time.perf_counter() - started:.1f} s."
        )
