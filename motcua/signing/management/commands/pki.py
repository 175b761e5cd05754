"""``motcua pki init|revoke|issue``: the development PKI of the province (motcua/signing/pki.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.signing.pki import Pki
from motcua.signing.pki_accounts import signer_identities


class Command(BaseCommand):
    help = (
        "Hạ tầng khóa công khai thử nghiệm: «init» tạo CA gốc, CA tổ chức, chứng thư cho lãnh đạo và đơn "
        "vị; «revoke <số hiệu>» thu hồi một chứng thư (ghi lại CRL); «issue» cấp chứng thư còn thiếu."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["init", "revoke", "issue"])
        parser.add_argument("serial", nargs="?", help="số hiệu chứng thư cần thu hồi (thập phân hoặc 0x…)")
        parser.add_argument("--dir", default=None, help="thư mục (mặc định MOTCUA_SIGNING_KEY_DIR)")
        parser.add_argument("--force", action="store_true", help="tạo lại toàn bộ dù đã có")

    def handle(self, *args: Any, **options: Any) -> None:
        pki = Pki(Path(options["dir"] or settings.MOTCUA_SIGNING_KEY_DIR))
        action = options["action"]
        if action == "revoke":
            if not options["serial"]:
                raise CommandError("Cần số hiệu chứng thư: motcua pki revoke <số hiệu>.")
            if not pki.exists():
                raise CommandError(f"Chưa có PKI tại {pki.dir}: chạy «motcua pki init» trước.")
            try:
                serial = int(options["serial"], 0)
            except ValueError:
                raise CommandError("Số hiệu chứng thư phải là số (thập phân hoặc 0x…).") from None
            pki.revoke(serial)
            self.stdout.write(f"Đã thu hồi chứng thư {serial}; danh sách thu hồi: {pki.crl_path}")
            return
        if action == "init":
            if pki.exists() and not options["force"]:
                # The revocation list is valid for 30 days: renewed on every run (``make demo``).
                pki.crl_write()
                self.stdout.write(f"PKI đã có tại {pki.dir} (dùng --force để tạo lại).")
            else:
                pki.init()
                for folder in ("leaders", "units"):
                    for path in (pki.dir / folder).glob("*.*"):
                        path.unlink()
                self.stdout.write(f"Đã tạo CA gốc và CA tổ chức tại {pki.dir}")
        elif not pki.exists():
            raise CommandError(f"Chưa có PKI tại {pki.dir}: chạy «motcua pki init» trước.")
        issued = pki.issue_missing(signer_identities())
        self.stdout.write(self.style.SUCCESS(f"Chứng thư mới cấp cho lãnh đạo và đơn vị: {issued}"))
