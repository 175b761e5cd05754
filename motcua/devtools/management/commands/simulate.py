"""``motcua simulate --dossiers N --days D [--seed S] [--batch 10000]``: bulk simulated dossier histories.

For load tests, benchmarks and demos — see ``motcua.devtools.simulation``. Run it on an idle database
(it takes primary keys and code counters at the start). Deterministic for a given seed, database
content and ``--now``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime
from tqdm import tqdm

from motcua.devtools.simulation import Mix, simulate
from motcua.dossiers.errors import DossierInvalid


class Command(BaseCommand):
    help = "Sinh dữ liệu hồ sơ mô phỏng (lịch sử xử lý đầy đủ, chuỗi băm hợp lệ) để thử tải và đo hiệu năng."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, required=True, help="Số hồ sơ cần sinh.")
        parser.add_argument(
            "--days", type=int, default=365, help="Khoảng thời gian tiếp nhận (số ngày gần đây)."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Hạt giống ngẫu nhiên (tái lập kết quả).")
        parser.add_argument("--batch", type=int, default=10_000, help="Số hồ sơ mỗi giao dịch ghi.")
        parser.add_argument("--now", help="Thời điểm 'hiện tại' của mô phỏng (ISO 8601), mặc định: bây giờ.")
        parser.add_argument(
            "--centre", action="append", dest="centres", metavar="SLUG",
            help="Chỉ tiếp nhận tại trung tâm này (lặp lại được), ví dụ pvhcc-tinh, pvhcc-6688.",
        )  # fmt: skip
        parser.add_argument(
            "--surges",
            type=float,
            default=0.0,
            help="Số đợt quá tải trung bình của mỗi đơn vị trong 100 ngày làm việc "
            "(hồ sơ đến dồn và xử lý chậm lại; mặc định 0: không có).",
        )
        parser.add_argument(
            "--all-states",
            action="store_true",
            help="Bảo đảm có hồ sơ ở mọi trạng thái tại thời điểm hiện tại.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now: datetime | None = None
        if options.get("now"):
            now = parse_datetime(options["now"])
            if now is None or now.tzinfo is None:
                raise CommandError(
                    "--now phải là thời điểm ISO 8601 có múi giờ, ví dụ 2026-03-02T10:00:00+07:00."
                )
        total = options["dossiers"]
        if not 0 <= options["surges"] <= 50:
            raise CommandError("--surges phải từ 0 đến 50 (số đợt quá tải mỗi 100 ngày làm việc).")
        with tqdm(total=total, unit="hồ sơ", disable=options["verbosity"] == 0, smoothing=0.1) as bar:
            try:
                result = simulate(
                    dossiers=total,
                    days=options["days"],
                    seed=options["seed"],
                    batch=max(1, options["batch"]),
                    now=now,
                    centre_slugs=options.get("centres"),
                    force_all_states=options["all_states"],
                    progress=bar.update,
                    mix=Mix(surges=options["surges"]),
                )
            except DossierInvalid as exc:
                raise CommandError("; ".join(exc.errors.values())) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã sinh {result}."))
        states = ", ".join(f"{state or '?'}: {count}" for state, count in result.states.items())
        self.stdout.write(f"Trạng thái: {states}")
        rate = result.dossiers / result.seconds if result.seconds else 0
        self.stdout.write(f"Tốc độ: {rate:,.0f} hồ sơ/giây.")
