"""``motcua verify-audit [--dossier CODE]``: check the audit log, its seals and the dossier rows.

Reports, per dossier: edited events (hash mismatch), deleted events (gaps in ``seq``), a removed tail
(the chain head kept on the dossier no longer matches), a history that no longer matches a seal (edited
and re-hashed: ``dossiers.sealing``), and a dossier row that disagrees with its events (state, current
unit, step, due time, applicant: ``audit.row_derive``). Then every seal: numbering, the chain of seals,
the HMAC under ``MOTCUA_AUDIT_SEAL_KEY`` and its Merkle tree (with ``--dossier``: only that dossier's
seals). Streams the dossiers in batches: a few queries per 500 dossiers. Exit code 1 when anything is
wrong, 0 otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers.audit import ROW_COLUMNS, ChainProblem, chain_verify, row_derive
from motcua.dossiers.models import AuditSeal, Dossier, DossierEvent
from motcua.dossiers.sealing import leaves_match, seal_leaves_of, seals_verify

BATCH = 500


def _problems(dossiers: Iterator[Dossier]) -> Iterator[tuple[Dossier, list[ChainProblem], bool]]:
    batch: list[Dossier] = []
    for dossier in dossiers:
        batch.append(dossier)
        if len(batch) == BATCH:
            yield from _check(batch)
            batch = []
    if batch:
        yield from _check(batch)


def _check(batch: list[Dossier]) -> Iterator[tuple[Dossier, list[ChainProblem], bool]]:
    # One events query and one seal-leaves query per batch keep memory flat on a million dossiers.
    events: dict[int, list[DossierEvent]] = {dossier.pk: [] for dossier in batch}
    for event in DossierEvent.objects.filter(dossier_id__in=events.keys()).order_by("dossier_id", "seq"):
        events[event.dossier_id].append(event)
    leaves = seal_leaves_of(events.keys())
    for dossier in batch:
        chain = events[dossier.pk]
        problems = chain_verify(dossier, chain)
        problems += leaves_match(dossier.code, chain, leaves.get(dossier.pk, ()))
        row_problems, derivable = row_derive(dossier, chain)
        yield dossier, problems + row_problems, derivable


class Command(BaseCommand):
    help = (
        "Kiểm tra tính toàn vẹn nhật ký xử lý hồ sơ: chuỗi băm, niêm phong (HMAC) và bản ghi hồ sơ "
        "so với nhật ký; phát hiện sự kiện hoặc hồ sơ bị sửa, xóa."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossier", metavar="CODE", help="Chỉ kiểm tra một hồ sơ (mã hồ sơ).")

    def handle(self, *args: Any, **options: Any) -> None:
        dossiers = Dossier.objects.only(*ROW_COLUMNS).order_by("pk")
        single = bool(options.get("dossier"))
        if single:
            dossiers = dossiers.filter(code=options["dossier"].strip())
            if not dossiers.exists():
                raise CommandError(f"Không tìm thấy hồ sơ {options['dossier']}.")
        checked = bad = not_derivable = 0
        for _dossier, problems, derivable in _problems(dossiers.iterator(chunk_size=BATCH)):
            checked += 1
            not_derivable += not derivable
            if problems:
                bad += 1
                for problem in problems:
                    self.stdout.write(self.style.ERROR(problem.message))
        seals = bad_seals = 0
        if not single:
            seen: set[int] = set()
            for seal_problem in seals_verify():
                seen.add(seal_problem.seal_seq)
                self.stdout.write(self.style.ERROR(seal_problem.message))
            bad_seals = len(seen)
            seals = AuditSeal.objects.count()
        if not_derivable:
            # Events recorded before the row snapshot existed: nothing to compare with, not a finding.
            self.stdout.write(
                f"{not_derivable} hồ sơ có sự kiện ghi trước khi nhật ký lưu trạng thái hồ sơ: "
                "không suy ra được đầy đủ bản ghi hồ sơ từ nhật ký (không phải lỗi)."
            )
        if bad or bad_seals:
            raise CommandError(
                f"Đã kiểm tra {checked} hồ sơ và {seals} niêm phong: {bad} hồ sơ có nhật ký hoặc bản ghi "
                f"bị sửa, xóa; {bad_seals} niêm phong không hợp lệ.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(f"Đã kiểm tra {checked} hồ sơ và {seals} niêm phong: nhật ký toàn vẹn.")
        )
