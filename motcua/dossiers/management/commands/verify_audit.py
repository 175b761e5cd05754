"""``motcua verify-audit [--dossier CODE]``: recompute every dossier's audit hash chain.

Reports edited events (hash mismatch), deleted events (gaps in ``seq``) and a removed tail (the chain
head kept on the dossier no longer matches). Exit code 1 when anything is wrong, 0 otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers.audit import ChainProblem, chain_verify
from motcua.dossiers.models import Dossier, DossierEvent

BATCH = 500


def _problems(dossiers: Iterator[Dossier]) -> Iterator[tuple[Dossier, list[ChainProblem]]]:
    batch: list[Dossier] = []
    for dossier in dossiers:
        batch.append(dossier)
        if len(batch) == BATCH:
            yield from _check(batch)
            batch = []
    if batch:
        yield from _check(batch)


def _check(batch: list[Dossier]) -> Iterator[tuple[Dossier, list[ChainProblem]]]:
    # One events query per batch of dossiers keeps memory flat on a million dossiers.
    events: dict[int, list[DossierEvent]] = {dossier.pk: [] for dossier in batch}
    for event in DossierEvent.objects.filter(dossier_id__in=events.keys()).order_by("dossier_id", "seq"):
        events[event.dossier_id].append(event)
    for dossier in batch:
        yield dossier, chain_verify(dossier, events[dossier.pk])


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn nhật ký xử lý hồ sơ (chuỗi băm): phát hiện sự kiện bị sửa hoặc bị xóa."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossier", metavar="CODE", help="Chỉ kiểm tra một hồ sơ (mã hồ sơ).")

    def handle(self, *args: Any, **options: Any) -> None:
        dossiers = Dossier.objects.only("pk", "code", "event_count", "last_event_hash").order_by("pk")
        if options.get("dossier"):
            dossiers = dossiers.filter(code=options["dossier"].strip())
            if not dossiers.exists():
                raise CommandError(f"Không tìm thấy hồ sơ {options['dossier']}.")
        checked = bad = 0
        for _dossier, problems in _problems(dossiers.iterator(chunk_size=BATCH)):
            checked += 1
            if problems:
                bad += 1
                for problem in problems:
                    self.stdout.write(self.style.ERROR(problem.message))
        if bad:
            raise CommandError(
                f"Đã kiểm tra {checked} hồ sơ: {bad} hồ sơ có nhật ký bị sửa hoặc xóa.", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(f"Đã kiểm tra {checked} hồ sơ: nhật ký toàn vẹn."))
