"""Result documents and stored files, in process — văn bản kết quả, tệp lưu trữ.

    .venv/bin/python bench/results_bench.py [--rounds 50]

* **result rendering**: ``result_document_render`` of a one-page decision (PDF + typst's query of the
  signature and seal areas), warm, against ``render_pdf`` of the same template and data without the
  query (the baseline: what any result PDF costs). The signing helper's budget is "render + sign a
  one-page result < 60 ms"; this is the render part.
* **hash-checked read**: ``core.storage.stored_file_read_checked`` of a 1 MB and a 10 MB file on the
  local filesystem against a plain ``read()`` of the same file: what the integrity check costs a download.

CPU time of this process (``time.process_time``) for rendering, wall time for the file reads. No
database. Results: ``bench/results/results.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import write_result


def _median_ms(action: Callable[[], object], *, rounds: int, clock: Callable[[], float]) -> float:
    samples = []
    for _ in range(rounds):
        start = clock()
        action()
        samples.append((clock() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.core.files.storage import FileSystemStorage

    from motcua.core.storage import sha256_of
    from motcua.documents import results
    from motcua.documents.rendering import render_pdf

    document = results.ResultDocument(
        kind=results.ResultKind.DECISION,
        unit_name="Ủy ban nhân dân phường Hạ Long",
        place_name="Hạ Long",
        number="125",
        symbol="QĐ-UBND",
        issued_on=date(2026, 3, 9),
        issued_at=datetime(2026, 3, 9, tzinfo=UTC),
        summary='Về việc giải quyết thủ tục hành chính "Đăng ký tạm trú"',
        authority_heading="Chủ tịch Ủy ban nhân dân phường Hạ Long",
        legal_bases=["Luật Cư trú 2020", "Thông tư số 66/2023/TT-BCA"],
        dossier_code="000.22.07.H49-260309-0001",
        procedure_name="Đăng ký tạm trú",
        applicant_name="Nguyễn Văn An",
        applicant_id_number="022090001234",
        applicant_address="Tổ 1, khu 2, phường Hạ Long",
        content="Chấp thuận đăng ký tạm trú.",
        signer_authority=["KT. Chủ tịch", "Phó Chủ tịch"],
        signer_name="Vũ Văn Hùng",
    )
    payload = results.result_payload(document)
    cold_start = time.process_time()
    results.result_document_render(document)
    cold = (time.process_time() - cold_start) * 1000
    render_pdf("result_decision.typ", payload, issued_at=document.issued_at)
    cpu = time.process_time
    with_boxes = _median_ms(lambda: results.result_document_render(document), rounds=args.rounds, clock=cpu)
    pdf_only = _median_ms(
        lambda: render_pdf("result_decision.typ", payload, issued_at=document.issued_at),
        rounds=args.rounds,
        clock=cpu,
    )
    figures: dict[str, object] = {
        "render_cold_ms": round(cold, 1),
        "render_with_boxes_median_ms": round(with_boxes, 2),
        "render_pdf_only_median_ms": round(pdf_only, 2),
        "boxes_ratio": round(with_boxes / pdf_only, 2),
    }
    with tempfile.TemporaryDirectory() as folder:
        storage = FileSystemStorage(location=folder)
        for size_mb in (1, 10):
            name = storage.save(f"f{size_mb}.bin", _content(size_mb))
            field = FieldFile(None, _FakeField(storage), name)  # type: ignore[arg-type]
            with storage.open(name) as handle:
                digest = sha256_of(handle)
            path = Path(folder) / name
            checked = _median_ms(
                partial(_checked_read, field, digest),
                rounds=max(5, args.rounds // 5),
                clock=time.perf_counter,
            )
            plain = _median_ms(path.read_bytes, rounds=max(5, args.rounds // 5), clock=time.perf_counter)
            figures[f"checked_read_{size_mb}mb_median_ms"] = round(checked, 2)
            figures[f"plain_read_{size_mb}mb_median_ms"] = round(plain, 2)
    figures["load_average"] = os.getloadavg()
    for key, value in figures.items():
        print(f"{key:36} {value}")
    write_result("results", figures)


def _content(size_mb: int) -> ContentFile[bytes]:
    return ContentFile(os.urandom(size_mb * 1024 * 1024))


def _checked_read(field: FieldFile, digest: str) -> None:
    from motcua.core.storage import stored_file_read_checked

    stored_file_read_checked(field, sha256=digest).close()


class _FakeField:
    """The little of a FileField that FieldFile needs to open a stored name."""

    def __init__(self, storage: object) -> None:
        self.storage = storage


if __name__ == "__main__":
    main()
