"""``motcua load-demo``: the Quảng Ninh demo data set — units, full catalogue, demo accounts.

Idempotent and fast on re-run (``make run`` calls it on every start): every loader compares with what
is already stored and writes only differences.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from motcua.catalog.services import catalog_import
from motcua.devtools.demo_dossiers import demo_dossiers_ensure
from motcua.devtools.demo_officials import DEMO_PASSWORD, demo_officials_ensure
from motcua.org.services import units_load_quang_ninh
from motcua.portal.services import form_definitions_load
from motcua.reports.models import RebuildMark
from motcua.reports.services import aggregates_rebuild


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu tỉnh Quảng Ninh: đơn vị, danh mục thủ tục, tài khoản cán bộ, hồ sơ mẫu."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        units = units_load_quang_ninh()
        self.stdout.write(f"Đơn vị: {units}")
        report = catalog_import(path=settings.MOTCUA_DATA_DIR / "catalog", progress=options["verbosity"] > 1)
        self.stdout.write(f"Danh mục thủ tục: {report}")
        forms = form_definitions_load(path=settings.MOTCUA_DATA_DIR / "forms")
        self.stdout.write(f"Tờ khai điện tử: {forms}")
        accounts = demo_officials_ensure()
        self.stdout.write(f"Tài khoản mẫu: {len(accounts)} (mật khẩu chung: {DEMO_PASSWORD}; xem README.md)")
        # The development PKI (root CA → organisation CA → leaders' and units' certificates), so that a
        # fresh `make run` signs results without setup; certificates of new leaders are added on re-run.
        call_command("pki", "init", stdout=self.stdout)
        created = demo_dossiers_ensure()
        self.stdout.write(f"Hồ sơ mẫu: {created} hồ sơ mới" if created else "Hồ sơ mẫu: đã có, giữ nguyên")
        # The simulated histories are written without the dossier events' jobs, so the reports'
        # subscriber never saw them: without a rebuild the dashboards of a fresh `make run` are empty.
        # Once is enough — later dossiers are counted by the subscriber as they happen.
        if created or not RebuildMark.objects.exists():
            rebuilt = aggregates_rebuild()
            self.stdout.write(
                f"Số liệu báo cáo: tính lại {rebuilt.dossiers} hồ sơ → {rebuilt.daily_rows} dòng theo ngày"
            )
        self.stdout.write(self.style.SUCCESS(f"Xong trong {time.perf_counter() - started:.1f} s."))
