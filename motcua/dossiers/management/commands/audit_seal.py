"""``motcua audit-seal``: seal the audit log now (the job worker does it daily, ``dossiers.audit_seal``).

Prints the seal (number, root, MAC, dossiers sealed). Dossiers whose chain does not verify are left out
and listed; the exit code is then 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.sealing import audit_seal_create


class Command(BaseCommand):
    help = "Niêm phong nhật ký xử lý hồ sơ (HMAC-SHA256 với khóa ngoài cơ sở dữ liệu) và công bố."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = audit_seal_create()
        seal = outcome.seal
        self.stdout.write(
            self.style.SUCCESS(
                f"Niêm phong số {seal.seq}: {seal.dossier_count} hồ sơ, {seal.event_count} sự kiện; "
                f"gốc {seal.root}; mã niêm phong {seal.mac}."
            )
        )
        for problem in outcome.refused:
            self.stdout.write(self.style.ERROR(f"Không niêm phong: {problem.message}"))
        if outcome.refused:
            broken = len({p.dossier_code for p in outcome.refused})
            raise CommandError(
                f"{broken} hồ sơ có nhật ký hỏng không được niêm phong.",
                returncode=1,
            )
